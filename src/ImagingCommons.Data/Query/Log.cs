using Microsoft.Extensions.Logging;

namespace ImagingCommons.Data.Query;

/// <summary>
/// Every log line of the query path. A request writes one line (served or pending); a query whose result takes at
/// least the slow threshold writes one Warning; queueing, starts, cancellations and evictions are Debug. Results are
/// named by their key (a hash of release and query); filter values and callers are never logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, EventName = "QueryServed", Level = LogLevel.Information,
        Message = "{Kind} query on release {Release}: {Rows} rows ({PageRows} from row {Offset}), cache hit {CacheHit}, {Milliseconds} ms")]
    public static partial void QueryServed(ILogger logger, QueryKind kind, string release, long rows, int pageRows, long offset, bool cacheHit, long milliseconds);

    [LoggerMessage(EventId = 1002, EventName = "QueryPending", Level = LogLevel.Information,
        Message = "{Kind} query on release {Release} still running after {Milliseconds} ms: answered 202, result {Key}")]
    public static partial void QueryPending(ILogger logger, QueryKind kind, string release, long milliseconds, string key);

    [LoggerMessage(EventId = 1003, EventName = "QueryRefused", Level = LogLevel.Information,
        Message = "{Kind} query on release {Release} refused: its caller already has {Limit} queries running (429)")]
    public static partial void QueryRefused(ILogger logger, QueryKind kind, string release, int limit);

    [LoggerMessage(EventId = 1004, EventName = "SlowQuery", Level = LogLevel.Warning,
        Message = "Slow {Kind} query on release {Release}: {Rows} rows in {Milliseconds} ms (result {Key})")]
    public static partial void SlowQuery(ILogger logger, QueryKind kind, string release, long rows, long milliseconds, string key);

    [LoggerMessage(EventId = 1005, EventName = "QueryComputed", Level = LogLevel.Debug,
        Message = "{Kind} query on release {Release}: {Rows} rows in {Milliseconds} ms (result {Key})")]
    public static partial void QueryComputed(ILogger logger, QueryKind kind, string release, long rows, long milliseconds, string key);

    [LoggerMessage(EventId = 1006, EventName = "QueryQueued", Level = LogLevel.Debug,
        Message = "{Kind} query {Key} waits for a slot: {Running} of {Slots} running")]
    public static partial void QueryQueued(ILogger logger, QueryKind kind, string key, int running, int slots);

    [LoggerMessage(EventId = 1007, EventName = "QueryStarted", Level = LogLevel.Debug,
        Message = "{Kind} query {Key} started on release {Release}")]
    public static partial void QueryStarted(ILogger logger, QueryKind kind, string key, string release);

    [LoggerMessage(EventId = 1008, EventName = "QueryInterrupted", Level = LogLevel.Debug,
        Message = "{Kind} query {Key} on release {Release} cancelled: DuckDB interrupted its command {Milliseconds} ms after the cancellation")]
    public static partial void QueryInterrupted(ILogger logger, QueryKind kind, string key, string release, long milliseconds);

    [LoggerMessage(EventId = 1009, EventName = "QueryCancelledWhileQueued", Level = LogLevel.Debug,
        Message = "{Kind} query {Key} cancelled before it started")]
    public static partial void QueryCancelledWhileQueued(ILogger logger, QueryKind kind, string key);

    [LoggerMessage(EventId = 1010, EventName = "JobAbandoned", Level = LogLevel.Debug,
        Message = "Query job {Key} abandoned and cancelled: {Reason}")]
    public static partial void JobAbandoned(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 1011, EventName = "ResultEvicted", Level = LogLevel.Debug,
        Message = "Result {Key} evicted ({Reason})")]
    public static partial void ResultEvicted(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 1012, EventName = "EvictionFailed", Level = LogLevel.Debug,
        Message = "Result {Key} could not be freed; the engine's database file goes with the process")]
    public static partial void EvictionFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 1013, EventName = "QueryFailed", Level = LogLevel.Warning,
        Message = "{Kind} query {Key} on release {Release} failed after {Milliseconds} ms")]
    public static partial void QueryFailed(ILogger logger, QueryKind kind, string key, string release, long milliseconds, Exception exception);

    [LoggerMessage(EventId = 1014, EventName = "EngineHardened", Level = LogLevel.Debug,
        Message = "DuckDB locked down: no extension install or load, files only under {Directories}")]
    public static partial void EngineHardened(ILogger logger, string directories);
}
