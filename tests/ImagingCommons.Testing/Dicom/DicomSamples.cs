namespace ImagingCommons.Testing.Dicom;

/// <summary>The real sample files shipped with the tests, and a scratch folder for files the tests make.</summary>
public static class DicomSamples
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData");

    /// <summary>The ten sample files (TestData/README.md).</summary>
    public static readonly IReadOnlyList<string> Samples =
    [
        "CT_small.dcm", "MR_small.dcm", "MR_small_jp2klossless.dcm", "liver_1frame.dcm", "test-SR.dcm", "rtdose.dcm",
        "rtplan.dcm", "JPEG2000.dcm", "SC_rgb_jpeg_dcmtk.dcm", "ExplVR_BigEnd.dcm",
    ];

    /// <summary>The samples whose pixel data is not compressed, which dcmconv can rewrite in every transfer syntax.</summary>
    public static readonly IReadOnlyList<string> Uncompressed =
        ["CT_small.dcm", "MR_small.dcm", "liver_1frame.dcm", "test-SR.dcm", "rtdose.dcm", "rtplan.dcm", "ExplVR_BigEnd.dcm"];

    public static string Sample(string name) => Path.Combine(Folder, name);

    /// <summary>A fresh folder under the temp directory, removed when the process ends.</summary>
    public static string NewScratchFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "imagingcommons-dicom-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return path;
    }
}
