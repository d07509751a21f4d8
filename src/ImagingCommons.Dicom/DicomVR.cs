namespace ImagingCommons.Dicom;

/// <summary>A value representation: two upper-case letters, as the file spells them.</summary>
public readonly record struct DicomVR(char First, char Second)
{
    public static readonly DicomVR AE = new('A', 'E');
    public static readonly DicomVR AS = new('A', 'S');
    public static readonly DicomVR AT = new('A', 'T');
    public static readonly DicomVR CS = new('C', 'S');
    public static readonly DicomVR DA = new('D', 'A');
    public static readonly DicomVR DS = new('D', 'S');
    public static readonly DicomVR DT = new('D', 'T');
    public static readonly DicomVR FD = new('F', 'D');
    public static readonly DicomVR FL = new('F', 'L');
    public static readonly DicomVR IS = new('I', 'S');
    public static readonly DicomVR LO = new('L', 'O');
    public static readonly DicomVR LT = new('L', 'T');
    public static readonly DicomVR OB = new('O', 'B');
    public static readonly DicomVR OD = new('O', 'D');
    public static readonly DicomVR OF = new('O', 'F');
    public static readonly DicomVR OL = new('O', 'L');
    public static readonly DicomVR OV = new('O', 'V');
    public static readonly DicomVR OW = new('O', 'W');
    public static readonly DicomVR PN = new('P', 'N');
    public static readonly DicomVR SH = new('S', 'H');
    public static readonly DicomVR SL = new('S', 'L');
    public static readonly DicomVR SQ = new('S', 'Q');
    public static readonly DicomVR SS = new('S', 'S');
    public static readonly DicomVR ST = new('S', 'T');
    public static readonly DicomVR SV = new('S', 'V');
    public static readonly DicomVR TM = new('T', 'M');
    public static readonly DicomVR UC = new('U', 'C');
    public static readonly DicomVR UI = new('U', 'I');
    public static readonly DicomVR UL = new('U', 'L');
    public static readonly DicomVR UN = new('U', 'N');
    public static readonly DicomVR UR = new('U', 'R');
    public static readonly DicomVR US = new('U', 'S');
    public static readonly DicomVR UT = new('U', 'T');
    public static readonly DicomVR UV = new('U', 'V');

    /// <summary>Not a VR: the pseudo-VR of item and delimitation tags, which have none.</summary>
    public static readonly DicomVR None = new('n', 'a');

    private static readonly HashSet<DicomVR> Known =
    [
        AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR,
        US, UT, UV,
    ];

    public static bool TryParse(byte first, byte second, out DicomVR vr)
    {
        vr = new DicomVR((char)first, (char)second);
        return Known.Contains(vr);
    }

    public static DicomVR Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length != 2 || !TryParse((byte)text[0], (byte)text[1], out var vr))
        {
            throw new FormatException($"'{text}' is not a DICOM value representation.");
        }

        return vr;
    }

    /// <summary>Explicit VR encodings give these a 2-byte reserved field and a 4-byte length.</summary>
    public bool HasLongLength => this == OB || this == OD || this == OF || this == OL || this == OV || this == OW || this == SQ
        || this == SV || this == UC || this == UN || this == UR || this == UT || this == UV;

    /// <summary>Character strings whose bytes depend on the Specific Character Set.</summary>
    public bool IsCharacterSetText => this == SH || this == LO || this == ST || this == LT || this == UT || this == PN || this == UC;

    /// <summary>Character strings of any kind (the default repertoire for those that are not <see cref="IsCharacterSetText"/>).</summary>
    public bool IsString => IsCharacterSetText || this == AE || this == AS || this == CS || this == DA || this == DS || this == DT
        || this == IS || this == TM || this == UI || this == UR;

    /// <summary>Strings that may hold several values separated by a backslash (ST, LT, UT and UR never do).</summary>
    public bool IsMultiValuedString => IsString && this != ST && this != LT && this != UT && this != UR;

    /// <summary>The size of one binary number of this VR (AT counts as two 16-bit numbers), or 0 for other VRs.</summary>
    public int BinaryWidth =>
        this == US || this == SS || this == OW || this == AT ? 2
        : this == UL || this == SL || this == FL || this == OF || this == OL ? 4
        : this == FD || this == OD || this == SV || this == UV || this == OV ? 8
        : 0;

    public override string ToString() => new([First, Second]);
}
