using System.Diagnostics.CodeAnalysis;
using ImagingCommons.Data.Paging;
using ImagingCommons.Data.Query;

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
internal sealed record PageOutcome(PageStatus Status, ResultHandle? Handle, IReadOnlyList<object?[]> Rows, string NextPage, string Token, QuerySpec? Spec)
{
    public static PageOutcome Invalid { get; } = new(PageStatus.InvalidToken, null, [], "", "", null);
}

/// <summary>
/// The shared paging mechanism of every manifest and query route: runs the query under the configured deadline,
/// answers 202 with a token when it misses it (the query keeps running), and serves pages at token offsets.
/// </summary>
internal sealed class PagedQueries(QueryEngine engine, QueryJobs jobs, PageTokenCodec codec, ServerOptions options, TimeProvider time)
{
    public const int DefaultPageSize = 1000;

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
    public int Effective(int pageSize) => Math.Clamp(pageSize, 1, options.MaxPageSize);

    private async Task<PageOutcome> PageAsync(PageToken token, QuerySpec spec, int pageSize, CancellationToken cancellationToken)
    {
        var deadline = TimeSpan.FromMilliseconds(Math.Max(0, options.QueryDeadlineMs));
        var key = QueryEngine.ResultKey(token.Release, spec);
        var job = await jobs.RunAsync(key, _ => engine.MaterializeAsync(token.Release, spec), deadline, cancellationToken).ConfigureAwait(false);
        if (!job.IsCompleted)
        {
            // The job keeps running; the same position is handed back to resume from.
            return new PageOutcome(PageStatus.Pending, null, [], "", codec.Encode(token with { IssuedAt = time.GetUtcNow() }), spec);
        }

        var handle = job.Result!;
        var size = Effective(pageSize);
        var rows = await engine.ReadPageAsync(handle, spec, token.Offset, size, cancellationToken).ConfigureAwait(false);
        var next = token.Offset + rows.Count;
        var nextToken = next < handle.Total && rows.Count > 0
            ? codec.Encode(token with { Offset = next, IssuedAt = time.GetUtcNow() })
            : "";
        return new PageOutcome(PageStatus.Page, handle, rows, nextToken, "", spec);
    }
}
