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

    /// <summary>
    /// How long a request waits for its query (milliseconds). Past it the query keeps running as a job and the caller
    /// gets 202 with a next_page token; 0 makes every first call answer 202.
    /// </summary>
    public int QueryDeadlineMs { get; set; } = 25_000;

    /// <summary>The largest page served; larger page_size values get short pages (clients loop on next_page).</summary>
    public int MaxPageSize { get; set; } = 10_000;

    /// <summary>
    /// The next_page token key as base64 (32 bytes), shared by every replica behind one load balancer. When empty,
    /// the key lives in the data directory (keys/page-token.key) and is created on first start.
    /// </summary>
    public string? PageTokenKey { get; set; }
}
