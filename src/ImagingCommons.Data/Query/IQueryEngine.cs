namespace ImagingCommons.Data.Query;

/// <summary>An ordered query result: rows are numbered 0..Total-1 in the API's order.</summary>
/// <param name="Table">Where its pages are read: the numbered result table, the numbered series (with
/// <see cref="Blocks"/>), the rows of a <see cref="Window"/>, or nothing (a <see cref="Head"/>).</param>
public sealed record ResultHandle(string Key, string Release, string Table, long Total, IReadOnlyList<OutputColumn> Columns, string DisplaySql)
{
    /// <summary>Numbered by series: a page runs this over the instance-table rows of the series it covers.</summary>
    internal BlockReader? Blocks { get; init; }

    /// <summary>Only the first rows of the result (its first page), computed without the rest; <see cref="Total"/> is exact.</summary>
    internal IReadOnlyList<object?[]>? Head { get; init; }

    /// <summary>
    /// Only rows [Start, End) of the result (fewer at its end), numbered as in the whole result, read without the rest
    /// (a page after the first few, before the result is numbered, or a page of a result numbered by series).
    /// </summary>
    internal (long Start, long End)? Window { get; init; }

    /// <summary>The <see cref="Head"/> was read from the instance rows of the listing's first series (else from the series table).</summary>
    internal bool HeadFromSeriesRows { get; init; }

    /// <summary>Its rows were read from the release's SOPInstanceUID order (<see cref="UidOrder"/>).</summary>
    internal bool FromUidOrder { get; init; }

    /// <summary>Its rows were read from the release's gcs_url order (<see cref="UrlOrder"/>).</summary>
    internal bool FromUrlOrder { get; init; }
}

/// <summary>A query to answer: what (release and spec), for whom (the bound on outstanding jobs), and how long to wait.</summary>
/// <param name="Caller">Who asks: an identity, or the client address when anonymous; empty: no bound.</param>
/// <param name="Deadline">How long to wait for the result before answering <see cref="QueryStatus.Pending"/>.</param>
public sealed record QueryRequest(string Release, QuerySpec Spec, string Caller, TimeSpan Deadline);

public enum QueryStatus
{
    /// <summary>The page is there.</summary>
    Ready,

    /// <summary>The query outlived the deadline and runs on (HTTP 202): ask again with the same request to collect it.</summary>
    Pending,

    /// <summary>The caller already has as many queries running as allowed (HTTP 429).</summary>
    Refused,
}

/// <summary>One page of a result: rows [offset, offset + Rows.Count) in the API's order, each row's values in <see cref="ResultHandle.Columns"/> order.</summary>
public sealed record QueryPage(QueryStatus Status, ResultHandle? Handle, IReadOnlyList<object?[]> Rows, bool CacheHit)
{
    public static QueryPage Pending { get; } = new(QueryStatus.Pending, null, [], false);

    public static QueryPage Refused { get; } = new(QueryStatus.Refused, null, [], false);
}

/// <summary>
/// The query engine as the server sees it: pages of ordered results computed over immutable releases. How a page is
/// produced (today: the whole result materialised once and numbered, every page a range read of it) is the engine's
/// business, so that it can change (e.g. first pages read straight from the release while the numbered result is
/// built in the background) without the routes noticing.
/// </summary>
public interface IQueryEngine
{
    /// <summary>Whether a release is held and can be queried (a token naming another one is refused).</summary>
    bool HoldsRelease(string release);

    /// <summary>
    /// Rows [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="count"/>) of the request's result,
    /// waiting for it up to the request's deadline. A query that misses the deadline keeps running: the same request
    /// later collects it. Cancelling <paramref name="cancellationToken"/> stops this call's wait; the query itself is
    /// cancelled once nobody waits for it any more and no 202 for it is recent.
    /// </summary>
    Task<QueryPage> PageAsync(QueryRequest request, long offset, int count, CancellationToken cancellationToken);

    /// <summary>Distinct values of one column of a release table, NULL first then ascending, as strings.</summary>
    Task<IReadOnlyList<string?>> DistinctValuesAsync(string release, SourceTable table, string column, int limit, CancellationToken cancellationToken);

    /// <summary>Prepares a release (its series table) ahead of its first query.</summary>
    Task WarmUpAsync(string release, CancellationToken cancellationToken);
}
