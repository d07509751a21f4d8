using System.Globalization;
using System.Text.RegularExpressions;

namespace ImagingCommons.Data.Query;

/// <summary>
/// How the query engine runs: bound to the configuration section <c>ImagingCommons:Query</c> (the README lists every
/// key). Checked at start (<see cref="Validate"/>): a bad value stops the server with a message.
/// </summary>
public sealed partial class QueryOptions
{
    public const string Section = "ImagingCommons:Query";

    /// <summary>
    /// How long a request waits for its query. Past it the query keeps running as a job and the caller gets 202 with a
    /// next_page token to resume from; zero makes every first call answer 202. Alias: <c>ImagingCommons:QueryDeadlineMs</c>.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>The largest page served; larger page_size values get short pages. Alias: <c>ImagingCommons:MaxPageSize</c>.</summary>
    public int MaxPageSize { get; set; } = 10_000;

    /// <summary>DuckDB's memory limit for the engine (its materialised results and running queries); beyond it DuckDB spills to <see cref="TempDirectory"/>.</summary>
    public string MemoryLimit { get; set; } = "1.5GB";

    /// <summary>DuckDB's worker threads; 0 leaves DuckDB's default (one per core).</summary>
    public int Threads { get; set; }

    /// <summary>At most this many results are kept; the least recently used go first (a later page recomputes them).</summary>
    public int MaxResults { get; set; } = 200;

    /// <summary>
    /// The most memory the first rows that results keep in the process (each listing's first pages, up to 10,000 rows)
    /// may take together, estimated from their values; beyond it the least recently used go first, as beyond
    /// <see cref="MaxResults"/>. At scale 1, 200 such results held 1.1 GB of the .NET heap (docs/benchmarks.md).
    /// </summary>
    public string HeldRowsMemoryLimit { get; set; } = "256MB";

    /// <summary>A finished result not read for this long is dropped.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a query that answered 202 keeps running with nobody waiting for it: each 202 (and each resume) starts the
    /// window again; once it passes with nobody back, the query is cancelled.
    /// </summary>
    public TimeSpan ResumeWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many queries run in DuckDB at once; the others wait for a slot within their deadline, then get 202.</summary>
    public int MaxConcurrentQueries { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// At most this many queries started by one caller (its identity, or its address when anonymous) may be running; a
    /// further new query gets 429 with Retry-After. Resuming a running query or reading a finished one is never refused.
    /// </summary>
    public int MaxOutstandingJobsPerCaller { get; set; } = 8;

    /// <summary>A query whose result takes at least this long to compute is logged at Warning.</summary>
    public TimeSpan SlowQueryThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Read a release's series table (built in the background on first use) for series-level queries.</summary>
    public bool UseSeriesTables { get; set; } = true;

    /// <summary>
    /// Serve a first page without numbering the whole result first (a top-N and an exact count over the series table,
    /// the rest numbered in the background), and number instance listings of sorted releases by series. Off: every
    /// result is computed whole and numbered before its first page (the reference the tests compare against).
    /// </summary>
    public bool FirstPagesAlone { get; set; } = true;

    /// <summary>
    /// The least number of rows of an instance listing whose pages are read by series (<see cref="FirstPagesAlone"/>);
    /// smaller ones are numbered whole, which costs less than reading a row group per page (docs/benchmarks.md).
    /// </summary>
    public long SeriesReadMinimumRows { get; set; } = 4_000_000;

    /// <summary>
    /// The rows of a window (<see cref="FirstPagesAlone"/>): a page past the first few of a listing not numbered yet, or
    /// any page of one numbered by series, is read with the rows around it (doubled until a page fits; windows follow
    /// one another from row 0 whatever the page size), which serve the next pages; the window after it is read ahead
    /// while a client reads it. About a row group of the instance table (32,768 rows), which a read decompresses
    /// whatever part of it a page needs.
    /// </summary>
    public int WindowRows { get; set; } = 30_000;

    /// <summary>
    /// The most row groups of the instance table (at most 32, the stretches a window reads) that a listing ordered by a
    /// URL may lie in for its windows past the rows a first page keeps to be <see cref="WindowRows"/> rows: any window
    /// of it then reads at most those row groups, however many of its series it holds. Wider listings (their series
    /// scattered over more of the file) read two pages a window, each of whose series costs a row group; 0: always two
    /// pages.
    /// </summary>
    public int NarrowListingRowGroups { get; set; } = 32;

    /// <summary>
    /// Build, once per release after its series table, a copy of its instance identifiers sorted by SOPInstanceUID
    /// (<see cref="UidOrder"/>; about 2.5 minutes and 1.9 GB of disk at full IDC size), from which listings ordered by
    /// SOPInstanceUID first read their first page (and, with at least <see cref="SeriesReadMinimumRows"/> rows, their
    /// later pages) instead of being numbered whole first (minutes for a modality over the whole release). Off: such
    /// listings are numbered whole.
    /// </summary>
    public bool UidOrderIndex { get; set; } = true;

    /// <summary>Whether a listing paged past its first rows is numbered in the background (tests turn it off to read every page from windows).</summary>
    internal bool NumberInBackground { get; init; } = true;

    /// <summary>DuckDB's memory limit while a series table is built (a database of its own; beyond it the build spills to disk).</summary>
    public string SeriesBuildMemoryLimit { get; set; } = "1GB";

    /// <summary>
    /// DuckDB's memory limit while a release's SOPInstanceUID and gcs_url orders are built (a database of its own, on
    /// one thread; beyond it the build spills to disk). Smaller than the series build's: the orders are built while the
    /// server answers queries, which need their own memory then (docs/benchmarks.md).
    /// </summary>
    public string OrderBuildMemoryLimit { get; set; } = "512MB";

    /// <summary>
    /// DuckDB's memory limit for the engine's page reads: a database of its own that reads a first page's series from the
    /// instance table and runs the query over those rows (beyond it, they spill to <see cref="TempDirectory"/>).
    /// </summary>
    public string PageReadMemoryLimit { get; set; } = "512MB";

    /// <summary>Where the engine keeps its result database and spills; empty: <c>imagingcommons</c> in the system temp folder.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>What is wrong with these options, one message per key; empty when they can be used.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string message)
        {
            if (!ok)
            {
                errors.Add($"{Section}:{key} {message}");
            }
        }

        Check(Deadline >= TimeSpan.Zero, nameof(Deadline), "must not be negative.");
        Check(MaxPageSize >= 1, nameof(MaxPageSize), "must be at least 1.");
        Check(MemoryLimitPattern().IsMatch(MemoryLimit ?? ""), nameof(MemoryLimit), $"'{MemoryLimit}' is not a size such as 2GB or 512MB.");
        Check(MemoryLimitPattern().IsMatch(SeriesBuildMemoryLimit ?? ""), nameof(SeriesBuildMemoryLimit), $"'{SeriesBuildMemoryLimit}' is not a size such as 1GB or 512MB.");
        Check(MemoryLimitPattern().IsMatch(OrderBuildMemoryLimit ?? ""), nameof(OrderBuildMemoryLimit), $"'{OrderBuildMemoryLimit}' is not a size such as 1GB or 512MB.");
        Check(MemoryLimitPattern().IsMatch(PageReadMemoryLimit ?? ""), nameof(PageReadMemoryLimit), $"'{PageReadMemoryLimit}' is not a size such as 1GB or 512MB.");
        Check(MemoryLimitPattern().IsMatch(HeldRowsMemoryLimit ?? ""), nameof(HeldRowsMemoryLimit), $"'{HeldRowsMemoryLimit}' is not a size such as 256MB or 1GB.");
        Check(Threads >= 0, nameof(Threads), "must be 0 (DuckDB's default) or more.");
        Check(SeriesReadMinimumRows >= 0, nameof(SeriesReadMinimumRows), "must not be negative.");
        Check(WindowRows >= 1, nameof(WindowRows), "must be at least 1.");
        // A window of a listing in more row groups may lie in more stretches than a window reads.
        Check(NarrowListingRowGroups is >= 0 and <= SeriesBlocks.MaxHeadStretches, nameof(NarrowListingRowGroups), $"must be from 0 to {SeriesBlocks.MaxHeadStretches}.");
        Check(MaxResults >= 1, nameof(MaxResults), "must be at least 1.");
        Check(IdleTimeout > TimeSpan.Zero, nameof(IdleTimeout), "must be positive.");
        Check(ResumeWindow > TimeSpan.Zero, nameof(ResumeWindow), "must be positive.");
        Check(MaxConcurrentQueries >= 1, nameof(MaxConcurrentQueries), "must be at least 1.");
        Check(MaxOutstandingJobsPerCaller >= 1, nameof(MaxOutstandingJobsPerCaller), "must be at least 1.");
        Check(SlowQueryThreshold >= TimeSpan.Zero, nameof(SlowQueryThreshold), "must not be negative.");
        return errors;
    }

    /// <summary>The folder the engine's own files go under.</summary>
    internal string TempRoot => string.IsNullOrWhiteSpace(TempDirectory)
        ? Path.Combine(Path.GetTempPath(), "imagingcommons")
        : Path.GetFullPath(TempDirectory);

    /// <summary>A size as the memory limits are written (2GB, 512 MiB: DuckDB's units, KB to TB of 1,000 and KiB to TiB of 1,024) in bytes.</summary>
    internal static long Bytes(string size)
    {
        var match = MemoryLimitPattern().Match(size);
        if (!match.Success)
        {
            throw new FormatException($"'{size}' is not a size such as 256MB or 1GB.");
        }

        var unit = match.Groups[2].Value.ToUpperInvariant();
        var scale = unit switch
        {
            "B" => 1d,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "KIB" => 1024d,
            "MIB" => 1024d * 1024,
            "GIB" => 1024d * 1024 * 1024,
            _ => 1024d * 1024 * 1024 * 1024,
        };
        var number = double.Parse(size[..match.Groups[2].Index].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);
        return (long)Math.Min(number * scale, long.MaxValue);
    }

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MemoryLimitPattern();
}
