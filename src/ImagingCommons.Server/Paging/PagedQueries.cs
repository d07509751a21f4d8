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

    public Task<PageOutcome> NextPageAsync(string? text, string identity, string family, int pageSize, CancellationToken cancellationToken)
    {
        if (!codec.TryDecode(text, identity, family, out var token)
            || QuerySpec.FromCanonicalJson(token.Query) is not { } spec
            || !engine.HoldsRelease(token.Release))
        {
            return Task.FromResult(PageOutcome.Invalid);
        }

        return PageAsync(token, spec, pageSize, cancellationToken);
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
