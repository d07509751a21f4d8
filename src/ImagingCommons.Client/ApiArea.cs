using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using ImagingCommons.Client.Http;
using ImagingCommons.Client.Paging;

namespace ImagingCommons.Client;

/// <summary>What every part of the client shares: the transport and the 202 resumer.</summary>
public abstract class ApiArea
{
    private protected ApiArea(ApiTransport transport, PendingResumer resumer)
    {
        Transport = transport;
        Resumer = resumer;
    }

    private protected ApiTransport Transport { get; }

    private protected PendingResumer Resumer { get; }

    /// <summary>
    /// A listing whose first page comes from one call and later pages from a nextPage route (GET with
    /// <c>next_page</c> and <c>page_size</c>), each answer read into rows, next token and total.
    /// </summary>
    private protected AsyncPageable<TRow> Listing<TFirst, TNext, TRow>(
        Func<int?, CancellationToken, Task<Answer<TFirst>>> first,
        Func<TFirst, (IReadOnlyList<TRow> Rows, string Next, long Total)> readFirst,
        string nextPagePath,
        JsonTypeInfo<TNext> nextType,
        Func<TNext, (IReadOnlyList<TRow> Rows, string Next, long Total)> readNext,
        CancellationToken cancellationToken,
        int? defaultPageSize = null)
        where TFirst : class
        where TNext : class
    {
        async Task<PageOrPending<TRow>> FirstAsync(int? pageSize, CancellationToken token) => Read(await first(pageSize, token).ConfigureAwait(false), readFirst);

        // Later pages (and the first page of a resumed 202) keep the size the request asked for.
        async Task<PageOrPending<TRow>> NextAsync(string next, int? pageSize, CancellationToken token) =>
            Read(await Transport.GetPagedAsync(nextPagePath + NextPageQuery(next, pageSize ?? defaultPageSize), nextType, token).ConfigureAwait(false), readNext);

        return new FuncAsyncPageable<TRow>(FirstAsync, NextAsync, Resumer, cancellationToken);
    }

    /// <summary>A listing paged on its own route (the 2020 spellings): later pages call the same route with <c>next_page</c>.</summary>
    private protected AsyncPageable<TRow> SameRouteListing<TFirst, TNext, TRow>(
        Func<int?, CancellationToken, Task<Answer<TFirst>>> first,
        Func<TFirst, (IReadOnlyList<TRow> Rows, string Next, long Total)> readFirst,
        Func<string, int?, CancellationToken, Task<Answer<TNext>>> next,
        Func<TNext, (IReadOnlyList<TRow> Rows, string Next, long Total)> readNext,
        CancellationToken cancellationToken)
        where TFirst : class
        where TNext : class
    {
        async Task<PageOrPending<TRow>> FirstAsync(int? pageSize, CancellationToken token) => Read(await first(pageSize, token).ConfigureAwait(false), readFirst);

        async Task<PageOrPending<TRow>> NextAsync(string token, int? pageSize, CancellationToken cancellation) =>
            Read(await next(token, pageSize, cancellation).ConfigureAwait(false), readNext);

        return new FuncAsyncPageable<TRow>(FirstAsync, NextAsync, Resumer, cancellationToken);
    }

    private static PageOrPending<TRow> Read<T, TRow>(Answer<T> answer, Func<T, (IReadOnlyList<TRow> Rows, string Next, long Total)> read)
        where T : class
    {
        if (answer.Value is null)
        {
            return PageOrPending<TRow>.Pending(answer.PendingToken!);
        }

        var (rows, next, total) = read(answer.Value);
        return PageOrPending<TRow>.Of(rows, next, total);
    }

    /// <summary><c>?next_page=…[&amp;page_size=…]</c>.</summary>
    private protected static string NextPageQuery(string next, int? pageSize) =>
        "?next_page=" + ApiTransport.Escape(next) + (pageSize is { } size ? "&page_size=" + size.ToString(CultureInfo.InvariantCulture) : "");

    /// <summary>A path segment, escaped.</summary>
    private protected static string Segment(string value) => ApiTransport.Escape(value);

    /// <summary>An integer in invariant digits.</summary>
    private protected static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
