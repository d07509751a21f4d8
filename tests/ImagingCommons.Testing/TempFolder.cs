namespace ImagingCommons.Testing;

/// <summary>A uniquely named folder under the system temp folder, for tests that write files.</summary>
public static class TempFolder
{
    public static string Create(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Path.GetRandomFileName()}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
