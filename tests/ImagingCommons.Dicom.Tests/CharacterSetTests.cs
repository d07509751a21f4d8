using System.Text;
using ImagingCommons.Dicom.Tests.Support;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Dicom.Tests;

/// <summary>
/// Text values in the character sets DICOM names. Where DCMTK can convert a set to UTF-8 (+U8, through iconv), its
/// conversion is the expected text; for the Japanese code extensions, which this DCMTK build cannot convert, the
/// expected text and bytes are the worked examples of PS3.5 Annex H.
/// </summary>
public sealed class CharacterSetTests
{
    static CharacterSetTests()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>Specific Character Set, a name and a description, and the code page that gives their bytes.</summary>
    public static TheoryData<string, string, string, int> SingleByteSets => new()
    {
        { "ISO_IR 100", "Buc^Jérôme", "Étude du cœur", 28591 },
        { "ISO_IR 101", "Wałęsa^Lech", "Badanie wątroby", 28592 },
        { "ISO_IR 109", "Ġużeppi^Ħbejjes", "Eżami tal-qalb", 28593 },
        { "ISO_IR 110", "Ķēniņš^Jānis", "Krūškurvja izmeklējums", 28594 },
        { "ISO_IR 144", "Люкceмбypг^Иван", "Исследование сердца", 28595 },
        { "ISO_IR 127", "قباني^لنزار", "فحص القلب", 28596 },
        { "ISO_IR 126", "Διονυσιος^Νικος", "Εξέταση καρδιάς", 28597 },
        { "ISO_IR 138", "שרון^דבורה", "בדיקת לב", 28598 },
        { "ISO_IR 148", "Öztürk^Şükrü", "Kalp incelemesi", 28599 },
        { "ISO_IR 166", "สมชาย^ใจดี", "ตรวจหัวใจ", 874 },
        { "ISO_IR 192", "Wang^XiaoDong=王^小東=", "Größe €, 心臓検査", 65001 },
        { "GB18030", "Wang^XiaoDong=王^小东=", "心脏检查 €", 54936 },
        { "GBK", "Wang^XiaoDong=王^小东=", "心脏检查", 936 },
        { "ISO_IR 13", "ﾔﾏﾀﾞ^ﾀﾛｳ", "ｹﾝｻ", 932 },
    };

    [Theory]
    [MemberData(nameof(SingleByteSets))]
    public void Text_in_a_single_character_set_decodes_as_dcmtk_converts_it(string term, string name, string description, int codePage)
    {
        var encoding = Encoding.GetEncoding(codePage);
        var path = Write(term, encoding.GetBytes(name), encoding.GetBytes(description));

        var file = DicomReader.ReadFile(path);

        TreeAssert.Matches(file, DumpTree.Of(path), DumpTree.Of(path, utf8: true));
        Assert.NotEqual("", file.Dataset.String(new DicomTag(0x0010, 0x0010)));
    }

    /// <summary>Code extensions whose G1 sets iconv can convert: Korean (PS3.5 Annex I), Chinese (Annex J), and ISO 8859 upper halves.</summary>
    public static TheoryData<string, byte[], byte[]> Iso2022Sets => new()
    {
        { @"\ISO 2022 IR 149", G1("Hong^Gildong=", "$)C", 51949, "洪", "^", "吉洞", "=", "홍", "^", "길동"), G1("", "$)C", 51949, "심장 검사") },
        { @"\ISO 2022 IR 58", G1("Zhang^XiaoDong=", "$)A", 936, "张", "^", "小东", "=", ""), G1("", "$)A", 936, "心脏检查") },
        { @"ISO 2022 IR 6\ISO 2022 IR 100", G1("Buc^J", "-A", 28591, "érôme"), G1("", "-A", 28591, "Étude à Paris") },
        { @"ISO 2022 IR 6\ISO 2022 IR 144", G1("Ivan^", "-L", 28595, "Иван"), G1("", "-L", 28595, "Сердце") },
        { @"ISO 2022 IR 6\ISO 2022 IR 126", G1("", "-F", 28597, "Νικος"), G1("", "-F", 28597, "Καρδιά") },
    };

    [Theory]
    [MemberData(nameof(Iso2022Sets))]
    public void Text_with_iso_2022_escape_sequences_decodes_as_dcmtk_converts_it(string term, byte[] name, byte[] description)
    {
        var path = Write(term, name, description);

        var file = DicomReader.ReadFile(path);

        TreeAssert.Matches(file, DumpTree.Of(path), DumpTree.Of(path, utf8: true));
    }

    [Fact]
    public void Japanese_kanji_and_kana_in_jis_x_0208_decode_as_ps3_5_annex_h_shows()
    {
        // PS3.5 H.3.1: "Yamada^Tarou=山田^太郎=やまだ^たろう" under "\ISO 2022 IR 87".
        var name = Bytes("Yamada^Tarou=", Esc("$B"), ";3ED", Esc("(B"), "^", Esc("$B"), "B@O:", Esc("(B"), "=",
            Esc("$B"), "$d$^$@", Esc("(B"), "^", Esc("$B"), "$?$m$&", Esc("(B"));
        var path = Write(@"\ISO 2022 IR 87", name, Bytes("CT"));

        var file = DicomReader.ReadFile(path);

        Assert.Equal("Yamada^Tarou=山田^太郎=やまだ^たろう", file.Dataset.String(new DicomTag(0x0010, 0x0010)));
        TreeAssert.Matches(file, DumpTree.Of(path));
    }

    [Fact]
    public void Half_width_katakana_with_jis_x_0208_decode_as_ps3_5_annex_h_shows()
    {
        // PS3.5 H.3.2: "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう" under "ISO 2022 IR 13\ISO 2022 IR 87"; ESC ( J returns to JIS X 0201.
        var name = Bytes(new byte[] { 0xD4, 0xCF, 0xC0, 0xDE }, "^", new byte[] { 0xC0, 0xDB, 0xB3 }, "=", Esc("$B"), ";3ED", Esc("(J"), "^",
            Esc("$B"), "B@O:", Esc("(J"), "=", Esc("$B"), "$d$^$@", Esc("(J"), "^", Esc("$B"), "$?$m$&", Esc("(J"));
        var path = Write(@"ISO 2022 IR 13\ISO 2022 IR 87", name, Bytes("CT"));

        var file = DicomReader.ReadFile(path);

        Assert.Equal("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", file.Dataset.String(new DicomTag(0x0010, 0x0010)));
    }

    [Fact]
    public void Supplementary_kanji_of_jis_x_0212_decode()
    {
        // JIS X 0212 row 16 cell 1 (bytes 0x30 0x21) is U+4E02 in the JIS X 0212 to Unicode mapping.
        var name = Bytes("Ueda^", Esc("$(D"), "0!", Esc("(B"));
        var path = Write(@"\ISO 2022 IR 159", name, Bytes("CT"));

        var file = DicomReader.ReadFile(path);

        Assert.Equal("Ueda^\u4E02", file.Dataset.String(new DicomTag(0x0010, 0x0010)));
    }

    [Fact]
    public void Latin_9_has_the_euro_sign_where_latin_1_has_the_currency_sign()
    {
        // ISO 8859-15 put € at 0xA4 (ISO 8859-1: ¤). DCMTK's conversion does not know ISO_IR 203, so the bytes are checked by hand.
        var path = Write("ISO_IR 203", [(byte)'E', (byte)'U', (byte)'R', 0xA4], Bytes("CT"));

        var file = DicomReader.ReadFile(path);

        Assert.Equal("EUR€", file.Dataset.String(new DicomTag(0x0010, 0x0010)));
        Assert.Equal("EUR¤", DicomCharacterSet.FromTerms(["ISO_IR 100"]).Decode([(byte)'E', (byte)'U', (byte)'R', 0xA4], DicomVR.PN));
    }

    [Fact]
    public void Code_sets_return_to_the_initial_ones_at_each_value_and_name_component()
    {
        // PS3.5 §6.1.2.5.3: each value starts in the initial code sets. Value 1 switches G1 from Latin-1 (the initial
        // set) to Cyrillic; after the delimiter 0xE9 is Latin-1's é again, not Cyrillic щ. ISO 8859-5 0xB8 is И.
        var set = DicomCharacterSet.FromTerms(["ISO 2022 IR 100", "ISO 2022 IR 144"]);

        var text = set.Decode(Bytes(Esc("-L"), new byte[] { 0xB8 }, "\\", new byte[] { 0xE9 }), DicomVR.LO);

        Assert.Equal("И\\é", text);
    }

    private static string Write(string term, byte[] name, byte[] description)
    {
        Dcmtk.Require();
        var dump = Bytes(
            $"(0008,0005) CS [{term}]\n",
            "(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]\n",
            "(0008,0018) UI [1.2.826.0.1.3680043.10.511.3.77]\n",
            "(0008,0060) CS [OT]\n",
            "(0008,1030) LO [", description, "]\n",
            "(0010,0010) PN [", name, "]\n",
            "(0032,4000) LT [", description, "]\n");
        return Dcmtk.Dump2Dcm(dump, Path.Combine(DicomSamples.NewScratchFolder(), "charset.dcm"));
    }

    /// <summary>
    /// ASCII text, then alternately a text in the code page (after ESC + designation, as PS3.5 Annex I shows it: the
    /// designation is repeated for each name component) and ASCII delimiters.
    /// </summary>
    private static byte[] G1(string ascii, string designation, int codePage, params string[] parts)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes(ascii));
        var encoding = Encoding.GetEncoding(codePage);
        for (var i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 0)
            {
                if (parts[i].Length > 0)
                {
                    bytes.AddRange(Esc(designation));
                    bytes.AddRange(encoding.GetBytes(parts[i]));
                }
            }
            else
            {
                bytes.AddRange(Encoding.ASCII.GetBytes(parts[i]));
            }
        }

        return [.. bytes];
    }

    private static byte[] Esc(string designation) => [0x1B, .. Encoding.ASCII.GetBytes(designation)];

    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p switch
        {
            string s => Encoding.ASCII.GetBytes(s),
            byte[] b => b,
            _ => throw new ArgumentException(p.GetType().Name),
        })];
}
