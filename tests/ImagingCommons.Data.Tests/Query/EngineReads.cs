using ImagingCommons.Data.Query;

namespace ImagingCommons.Data.Tests.Query;

internal static class EngineReads
{
    /// <summary>Rows [offset, offset + count) of a query's result, waiting for it however long it takes.</summary>
    public static Task<QueryPage> ReadAsync(this IQueryEngine engine, string release, QuerySpec spec, long offset = 0, int count = int.MaxValue) =>
        engine.PageAsync(new QueryRequest(release, spec, "", Timeout.InfiniteTimeSpan), offset, count, TestContext.Current.CancellationToken);
}
