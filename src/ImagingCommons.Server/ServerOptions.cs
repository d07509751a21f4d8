namespace ImagingCommons.Server;

/// <summary>Bound to the configuration section "ImagingCommons" (and the command line of <c>idc serve</c>).</summary>
public sealed class ServerOptions
{
    public const string Section = "ImagingCommons";

    /// <summary>The data directory; relative paths resolve against the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>When the data directory holds no release, generate the small default one first.</summary>
    public bool GenerateDefaultRelease { get; set; } = true;

    /// <summary>How often the server looks for a release published while it runs (two file stats per look).</summary>
    public TimeSpan ReleaseCheckInterval { get; set; } = TimeSpan.FromSeconds(2);
}
