using System.Diagnostics.CodeAnalysis;
using ImagingCommons.Data.Paging;
using ImagingCommons.Data.Query;
using Microsoft.Extensions.Options;

namespace ImagingCommons.Server.Paging;

/// <summary>Token families: a token only pages through the endpoint family that issued it.</summary>
internal static class TokenFamilies
{
    public const string V1Manifest = "v1-manifest";
    public const string V1Query = "v1-query";
    public const string V1DicomMetadata = "v1-dicom";
    public const string V2Manifest = "v2-manifest";

    /// <summary>POST /v1/cohorts/preview: pages are fetched from the same route (addendum H5).</summary>
    public const string V1CohortPreview = "v1-cohort-objects";

    /// <summary>
    /// GET /v1/cohorts/{id}: the cohort id is part of the family, so a token pages only through the cohort that
    /// issued it (addendum H10.6), and never through the preview.
    /// </summary>
    public static string V1Cohort(long cohortId) => V1CohortPreview + "/" + cohortId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Identities a token can be bound to besides a verified email.</summary>
internal static class Identities
{
    /// <summary>Previews are anonymous, as in the original.</summary>
    public const string Anonymous = "Anonymous";

    /// <summary>The original bound /dicomMetadata tokens to no identity at all.</summary>
    public const string None = "";
}

internal enum PageStatus
{
    Page,
    Pending,
    InvalidToken,
}

/// <summary>A page of a result, a still-running query (202 with <see cref="Token"/>), or a token that was refused.</summary>
/// <param name="Rows">The page's rows, each row's values in <see cref="ResultHandle.Columns"/> order (the engine's values, for the renderers).</param>
internal sealed record PageOutcome(PageStatus Status, ResultHandle? Handle, IReadOnlyList<object?[]> Rows, string NextPage, string Token, QuerySpec? Spec)
{
    public static PageOutcome Invalid { get; } = new(PageStatus.InvalidToken, null, [], "", "", null);
}

/// <summary>
/// A caller already has as many queries running as <see cref="QueryOptions.MaxOutstandingJobsPerCaller"/> allows:
/// answered 429 with Retry-After (<c>ApiExceptionHandler</c>), so that no route has to handle it.
/// </summary>
internal sealed class TooManyQueriesException(int limit, TimeSpan retryAfter) : Exception(Contracts.ErrorTexts.TooManyQueries(limit))
{
    /// <summary>Whole seconds for Retry-After, at least 1.</summary>
    public int RetryAfterSeconds { get; } = RetrySeconds(retryAfter);

    private static int RetrySeconds(TimeSpan retryAfter) => (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, 3600);
}

/// <summary>
/// The shared paging mechanism of every manifest and query route: asks the engine for the page under the configured
/// deadline, answers 202 with a token when the query misses it (the query keeps running), and serves pages at token
/// offsets. A caller (the signed-in identity, or the client address when anonymous) with too many queries still
/// running gets <see cref="TooManyQueriesException"/>.
/// </summary>
internal sealed class PagedQueries(IQueryEngine engine, PageTokenCodec codec, IOptions<QueryOptions> options, IHttpContextAccessor http, TimeProvider time)
{
    public const int DefaultPageSize = 1000;

    private readonly QueryOptions _options = options.Value;

    public Task<PageOutcome> FirstPageAsync(string identity, string family, string release, QuerySpec spec, int pageSize, CancellationToken cancellationToken)
    {
        var token = new PageToken(identity, family, release, spec.ToCanonicalJson(), 0, time.GetUtcNow());
        return PageAsync(token, spec, pageSize, cancellationToken);
    }

    public Task<PageOutcome> NextPageAsync(string? text, string identity, string family, int pageSize, CancellationToken cancellationToken) =>
        TryOpen(text, identity, family, out var token, out var spec)
            ? PageAsync(token, spec, pageSize, cancellationToken)
            : Task.FromResult(PageOutcome.Invalid);

    /// <summary>
    /// Whether a token is one this route accepts (issued by our key for this identity and family, not expired, over a
    /// held release), without running anything: for routes that must refuse a bad token before checking other input.
    /// </summary>
    public bool TryOpen(string? text, string identity, string family, [NotNullWhen(true)] out PageToken? token, [NotNullWhen(true)] out QuerySpec? spec)
    {
        spec = null;
        if (!codec.TryDecode(text, identity, family, out token)
            || QuerySpec.FromCanonicalJson(token.Query) is not { } decoded
            || !engine.HoldsRelease(token.Release))
        {
            token = null;
            return false;
        }

        spec = decoded;
        return true;
    }

    /// <summary>The page size actually served: the documented maximum caps larger requests (short pages are allowed).</summary>
    public int Effective(int pageSize) => Math.Clamp(pageSize, 1, _options.MaxPageSize);

    private async Task<PageOutcome> PageAsync(PageToken token, QuerySpec spec, int pageSize, CancellationToken cancellationToken)
    {
        var request = new QueryRequest(token.Release, spec, Caller(), _options.Deadline);
        var page = await engine.PageAsync(request, token.Offset, Effective(pageSize), cancellationToken).ConfigureAwait(false);
        switch (page.Status)
        {
            case QueryStatus.Refused:
                throw new TooManyQueriesException(_options.MaxOutstandingJobsPerCaller, _options.Deadline);
            case QueryStatus.Pending:
                // The job keeps running; the same position is handed back to resume from.
                return new PageOutcome(PageStatus.Pending, null, [], "", codec.Encode(token with { IssuedAt = time.GetUtcNow() }), spec);
        }

        var handle = page.Handle!;
        var next = token.Offset + page.Rows.Count;
        var nextToken = next < handle.Total && page.Rows.Count > 0
            ? codec.Encode(token with { Offset = next, IssuedAt = time.GetUtcNow() })
            : "";
        return new PageOutcome(PageStatus.Page, handle, page.Rows, nextToken, "", spec);
    }

    /// <summary>Whom the bound on outstanding queries counts against: the verified email, else the client address.</summary>
    private string Caller()
    {
        var context = http.HttpContext;
        if (context is null)
        {
            return "";
        }

        return Auth.Callers.Email(context) is { } email
            ? "user:" + email
            : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
