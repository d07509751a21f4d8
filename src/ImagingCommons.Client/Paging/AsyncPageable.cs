using System.Runtime.CompilerServices;

namespace ImagingCommons.Client.Paging;

/// <summary>
/// A paged listing of the server (a manifest, a query, /dicomMetadata): enumerate it for every row, following
/// <c>next_page</c> until the server says the listing is over, or call <see cref="AsPages"/> to see the pages and
/// their tokens (the shape of Azure.Core's <c>AsyncPageable&lt;T&gt;</c>). Nothing is requested until enumeration
/// starts; each enumeration starts the listing again. A page that answers 202 (the query still runs) is resumed
/// transparently, within the client's <see cref="ImagingCommonsClientOptions.PendingTimeout"/>.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public abstract class AsyncPageable<T> : IAsyncEnumerable<T>
{
    /// <summary>The cancellation token given when the listing was made; combined with the enumerator's.</summary>
    protected AsyncPageable(CancellationToken cancellationToken)
    {
        CancellationToken = cancellationToken;
    }

    /// <summary>The cancellation token given when the listing was made.</summary>
    protected CancellationToken CancellationToken { get; }

    /// <summary>
    /// The pages of the listing. With <paramref name="continuationToken"/> (a page's <see cref="Page{T}.ContinuationToken"/>,
    /// or the token of a 202), the listing goes on from there on the route's nextPage route instead of starting again.
    /// </summary>
    /// <param name="continuationToken">A token of an earlier page of the same listing, or null to start.</param>
    /// <param name="pageSizeHint">Rows per page (the server's default is 1000; it may answer short pages).</param>
    public abstract IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null);

    /// <inheritdoc/>
    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken);
        await foreach (var page in AsPages().WithCancellation(linked.Token).ConfigureAwait(false))
        {
            foreach (var value in page.Values)
            {
                linked.Token.ThrowIfCancellationRequested();
                yield return value;
            }
        }
    }
}

/// <summary>One page of a listing.</summary>
/// <typeparam name="T">The row type.</typeparam>
/// <param name="Values">The rows of this page (possibly fewer than asked for, even before the last page).</param>
/// <param name="ContinuationToken">The token of the next page, or null after the last page (the server's <c>""</c>).</param>
/// <param name="TotalFound">The rows of the whole listing, as the server counts them (the same on every page).</param>
public sealed record Page<T>(IReadOnlyList<T> Values, string? ContinuationToken, long TotalFound);

/// <summary>A listing made of two calls: the first page, and a next page from a token.</summary>
internal sealed class FuncAsyncPageable<T>(
    Func<int?, CancellationToken, Task<PageOrPending<T>>> firstPage,
    Func<string, int?, CancellationToken, Task<PageOrPending<T>>> nextPage,
    PendingResumer resumer,
    CancellationToken cancellationToken) : AsyncPageable<T>(cancellationToken)
{
    public override IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null) =>
        Pages(continuationToken, pageSizeHint, CancellationToken);

    private async IAsyncEnumerable<Page<T>> Pages(string? continuationToken, int? pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken);
        var token = linked.Token;
        var answer = continuationToken is null
            ? await firstPage(pageSize, token).ConfigureAwait(false)
            : await nextPage(continuationToken, pageSize, token).ConfigureAwait(false);
        while (true)
        {
            var page = answer.Page ?? await resumer.ResumeAsync(answer.PendingToken!, t => nextPage(t, pageSize, token), token).ConfigureAwait(false);
            yield return page;
            if (page.ContinuationToken is null)
            {
                yield break;
            }

            answer = await nextPage(page.ContinuationToken, pageSize, token).ConfigureAwait(false);
        }
    }
}

/// <summary>An answer of a paged route: a page (200) or the token of a query that still runs (202).</summary>
internal readonly record struct PageOrPending<T>(Page<T>? Page, string? PendingToken)
{
    public static PageOrPending<T> Of(IReadOnlyList<T> values, string nextPage, long totalFound) =>
        new(new Page<T>(values, string.IsNullOrEmpty(nextPage) ? null : nextPage, totalFound), null);

    public static PageOrPending<T> Pending(string token) => new(null, token);
}

/// <summary>Resumes a 202: calls the nextPage route with the token until it answers a page, waiting longer each time, within a bound.</summary>
internal sealed class PendingResumer(ImagingCommonsClientOptions options)
{
    public async Task<Page<T>> ResumeAsync<T>(string token, Func<string, Task<PageOrPending<T>>> nextPage, CancellationToken cancellationToken)
    {
        var time = options.TimeProvider;
        var started = time.GetTimestamp();
        var wait = options.PendingPollInterval;
        while (true)
        {
            if (time.GetElapsedTime(started) >= options.PendingTimeout)
            {
                throw new ImagingCommonsPendingTimeoutException(token, time.GetElapsedTime(started));
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            var answer = await nextPage(token).ConfigureAwait(false);
            if (answer.Page is { } page)
            {
                return page;
            }

            token = answer.PendingToken!;
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, options.MaxPendingPollInterval.Ticks));
        }
    }
}
