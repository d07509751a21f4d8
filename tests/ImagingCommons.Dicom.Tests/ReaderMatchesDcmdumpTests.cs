using ImagingCommons.Dicom.Tests.Support;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Dicom.Tests;

/// <summary>
/// The reader against DCMTK: for the real sample files, for each of them rewritten in every transfer syntax by
/// dcmconv, and for files made with dump2dcm and img2dcm, every element the reader returns is the one dcmdump prints.
/// </summary>
public sealed class ReaderMatchesDcmdumpTests
{
    public static TheoryData<string> Samples => [.. DicomSamples.Samples];

    /// <summary>dcmconv's transfer syntax options, and (with -e) undefined lengths for every sequence and item.</summary>
    public static TheoryData<string, string> Conversions()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in DicomSamples.Uncompressed)
        {
            foreach (var option in new[] { "+ti", "+te", "+tb", "+td", "+te -e", "+ti -e", "+tb -e" })
            {
                data.Add(file, option);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_element_of_a_sample_file_is_what_dcmdump_prints(string name)
    {
        Dcmtk.Require();
        var path = DicomSamples.Sample(name);

        var file = DicomReader.ReadFile(path);

        TreeAssert.Matches(file, DumpTree.Of(path), DumpTree.Of(path, utf8: true));
    }

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Every_element_is_what_dcmdump_prints_in_every_transfer_syntax(string name, string options)
    {
        Dcmtk.Require();
        var output = Path.Combine(DicomSamples.NewScratchFolder(), "converted.dcm");
        Dcmtk.Run("dcmconv", [.. options.Split(' '), DicomSamples.Sample(name), output]);

        var file = DicomReader.ReadFile(output);

        var raw = DumpTree.Of(output);
        TreeAssert.Matches(file, raw, DumpTree.Of(output, utf8: true));
        var expected = options.Split(' ')[0] switch
        {
            "+ti" => DatasetEncoding.ImplicitLittleEndian,
            "+te" => DatasetEncoding.ExplicitLittleEndian,
            "+tb" => DatasetEncoding.ExplicitBigEndian,
            _ => DatasetEncoding.DeflatedExplicitLittleEndian,
        };
        Assert.Equal(expected, file.Encoding);
    }

    [Theory]
    [InlineData("nested.dump", "")]
    [InlineData("nested.dump", "-e")]
    [InlineData("nested.dump", "+ti -e")]
    [InlineData("nested.dump", "+tb")]
    [InlineData("nested.dump", "+td -e")]
    [InlineData("icon.dump", "")]
    [InlineData("icon.dump", "+ti")]
    public void Hand_written_edge_cases_are_read_as_dcmdump_reads_them(string dump, string options)
    {
        Dcmtk.Require();
        var output = Path.Combine(DicomSamples.NewScratchFolder(), "edge.dcm");
        Dcmtk.Dump2Dcm(File.ReadAllBytes(Path.Combine(DicomSamples.Folder, "Dumps", dump)), output, options.Length == 0 ? [] : options.Split(' '));

        var file = DicomReader.ReadFile(output);

        TreeAssert.Matches(file, DumpTree.Of(output), DumpTree.Of(output, utf8: true));
    }

    [Theory]
    [InlineData("-F +te")]
    [InlineData("-F +ti")]
    [InlineData("-F +tb")]
    public void A_dataset_without_file_meta_information_is_read_as_dcmdump_reads_it(string options)
    {
        Dcmtk.Require();
        var output = Path.Combine(DicomSamples.NewScratchFolder(), "raw.dcm");
        Dcmtk.Dump2Dcm(File.ReadAllBytes(Path.Combine(DicomSamples.Folder, "Dumps", "nested.dump")), output, options.Split(' '));

        var file = DicomReader.ReadFile(output);

        Assert.False(file.HasPreamble);
        Assert.Null(file.FileMetaInformation);
        var dumpOptions = options.Split(' ')[1] switch
        {
            "+ti" => "-ti",
            "+tb" => "-tb",
            _ => "-te",
        };
        TreeAssert.Matches(file, DumpTree.Of(output, false, "-f", dumpOptions));
    }

    [Theory]
    [InlineData("CT_small.dcm")]
    [InlineData("rtplan.dcm")]
    public void A_file_without_its_preamble_but_with_its_meta_group_is_read(string name)
    {
        Dcmtk.Require();
        var bytes = File.ReadAllBytes(DicomSamples.Sample(name));
        var output = Path.Combine(DicomSamples.NewScratchFolder(), "no-preamble.dcm");
        File.WriteAllBytes(output, bytes[132..]);

        var file = DicomReader.ReadFile(output);
        var original = DicomReader.ReadFile(DicomSamples.Sample(name));

        Assert.True(original.HasPreamble);
        Assert.False(file.HasPreamble);
        TreeAssert.Matches(file, DumpTree.Of(DicomSamples.Sample(name)));
    }

    [Fact]
    public void Encapsulated_pixel_data_made_by_img2dcm_is_found_and_not_read()
    {
        Dcmtk.Require();
        var folder = DicomSamples.NewScratchFolder();
        var jpeg = Path.Combine(folder, "image.jpg");
        Dcmtk.Run("dcmj2pnm", ["+oj", DicomSamples.Sample("CT_small.dcm"), jpeg]);
        var output = Path.Combine(folder, "img2dcm.dcm");
        Dcmtk.Run("img2dcm", ["-i", "JPEG", jpeg, output]);

        var file = DicomReader.ReadFile(output);

        var raw = DumpTree.Of(output);
        TreeAssert.Matches(file, raw, DumpTree.Of(output, utf8: true));
        Assert.True(file.PixelData!.Encapsulated);
    }

    [Fact]
    public void A_multi_frame_object_compressed_by_dcmcrle_is_read_up_to_its_encapsulated_frames()
    {
        Dcmtk.Require();
        var output = Path.Combine(DicomSamples.NewScratchFolder(), "frames.dcm");
        Dcmtk.Run("dcmcrle", [DicomSamples.Sample("rtdose.dcm"), output]);

        var file = DicomReader.ReadFile(output);

        var raw = DumpTree.Of(output);
        TreeAssert.Matches(file, raw, DumpTree.Of(output, utf8: true));
        Assert.True(file.PixelData!.Encapsulated);
        var frames = raw.Dataset.Single(e => e.Tag == new DicomTag(0x0028, 0x0008)).Value;
        Assert.True(long.Parse(frames, System.Globalization.CultureInfo.InvariantCulture) > 1, "a multi-frame object");
        Assert.Equal(long.Parse(frames, System.Globalization.CultureInfo.InvariantCulture), file.Dataset.Integer(new DicomTag(0x0028, 0x0008)));
    }
}
