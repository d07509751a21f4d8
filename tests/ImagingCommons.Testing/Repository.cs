namespace ImagingCommons.Testing;

/// <summary>The repository the tests run from (docs the tests keep in step with the code live there).</summary>
public static class Repository
{
    /// <summary>The folder holding ImagingCommons.slnx, found by walking up from the test assembly.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImagingCommons.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ImagingCommons.slnx above {AppContext.BaseDirectory}.");
    }
}
