using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Requests;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Responses;

/// <summary>
/// The paged answers every manifest and query route shares: the first page with the route's cohort echo (its SQL
/// filled in when asked), the 202 of a query that outlived its deadline, and the later pages of each family.
/// </summary>
internal static class Listings
{
    /// <summary>The first page of a v1 manifest (spec §6.6), or its 202 (token at the top level).</summary>
    public static async Task<Results<WireOk<V1ManifestResponse<TCohort>>, WirePending, WireError>> V1ManifestAsync<TCohort>(
        PagedQueries paging, string identity, string release, QuerySpec spec, V1ManifestOptions options, Func<string, TCohort> echo, CancellationToken cancellationToken)
    {
        var outcome = await paging.FirstPageAsync(identity, TokenFamilies.V1Manifest, release, spec, options.PageSize, cancellationToken);
        if (outcome.Status == PageStatus.Pending)
        {
            return Pages.Pending(outcome.Token);
        }

        return Wire.Ok(new V1ManifestResponse<TCohort>(
            StatusCodes.Status200OK, echo(options.Sql ? outcome.Handle!.DisplaySql : ""), Pages.V1Manifest(outcome), outcome.NextPage));
    }

    /// <summary>The first page of a v1 query (spec §6.7), or its 202 (the cohort echo under query_info).</summary>
    public static async Task<Results<WireOk<V1QueryResponse<TCohort>>, WirePending, WireError>> V1QueryAsync<TCohort>(
        PagedQueries paging, string identity, string release, QuerySpec spec, V1QueryOptions options, Func<string, TCohort> echo, CancellationToken cancellationToken)
        where TCohort : notnull
    {
        var outcome = await paging.FirstPageAsync(identity, TokenFamilies.V1Query, release, spec, options.PageSize, cancellationToken);
        if (outcome.Status == PageStatus.Pending)
        {
            return Pages.Pending(outcome.Token, cohortDef: echo(""));
        }

        return Wire.Ok(new V1QueryResponse<TCohort>(
            StatusCodes.Status200OK, echo(options.Sql ? outcome.Handle!.DisplaySql : ""), Pages.QueryResults(outcome), outcome.NextPage));
    }

    /// <summary>A later page of a v1 manifest (spec §6.6.3).</summary>
    public static async Task<Results<WireOk<V1ManifestPage>, WirePending, WireError>> V1ManifestNextPageAsync(
        HttpRequest request, PagedQueries paging, CancellationToken cancellationToken)
    {
        var next = V1Requests.NextPage(request);
        if (!next.IsValid)
        {
            return next.Error;
        }

        var outcome = await V1NextPageAsync(request, paging, next.Value, TokenFamilies.V1Manifest, cancellationToken);
        return outcome.Status switch
        {
            PageStatus.InvalidToken => Wire.BadRequest(ErrorTexts.InvalidNextPage(next.Value.Token)),
            PageStatus.Pending => Pages.Pending(outcome.Token),
            _ => Wire.Ok(new V1ManifestPage(StatusCodes.Status200OK, Pages.V1Manifest(outcome), outcome.NextPage)),
        };
    }

    /// <summary>A later page of a v1 query or of /dicomMetadata (spec §6.7.3, §6.10), with the original's empty cohort.</summary>
    public static async Task<Results<WireOk<V1QueryPage>, WirePending, WireError>> V1QueryNextPageAsync(
        HttpRequest request, PagedQueries paging, string family, CancellationToken cancellationToken)
    {
        var next = V1Requests.NextPage(request);
        if (!next.IsValid)
        {
            return next.Error;
        }

        var outcome = await V1NextPageAsync(request, paging, next.Value, family, cancellationToken);
        return outcome.Status switch
        {
            PageStatus.InvalidToken => Wire.BadRequest(ErrorTexts.InvalidNextPage(next.Value.Token)),
            PageStatus.Pending => Pages.Pending(outcome.Token),
            _ => Wire.Ok(new V1QueryPage(StatusCodes.Status200OK, EmptyObject.Instance, Pages.QueryResults(outcome), outcome.NextPage)),
        };
    }

    /// <summary>The first page of a v2 manifest (spec §7.8.3, §7.8.4), or its 202 (the cohort echo under query_info).</summary>
    public static async Task<Results<WireOk<V2ManifestResponse<TCohort>>, WirePending, WireError>> V2ManifestAsync<TCohort>(
        PagedQueries paging, string identity, string release, QuerySpec spec, V2ManifestOptions options, Func<string?, TCohort> echo, CancellationToken cancellationToken)
        where TCohort : notnull
    {
        var outcome = await paging.FirstPageAsync(identity, TokenFamilies.V2Manifest, release, spec, options.PageSize, cancellationToken);
        if (outcome.Status == PageStatus.Pending)
        {
            return Pages.Pending(outcome.Token, cohortDef: echo(null));
        }

        return Wire.Ok(new V2ManifestResponse<TCohort>(
            StatusCodes.Status200OK, echo(options.Sql ? outcome.Handle!.DisplaySql : null), Pages.V2Manifest(outcome), outcome.NextPage));
    }

    /// <summary>A later page of a v2 manifest: tokens are bound to <paramref name="identity"/> (spec §7.8.5).</summary>
    public static async Task<Results<WireOk<V2ManifestPage>, WirePending, WireError>> V2ManifestNextPageAsync(
        HttpRequest request, PagedQueries paging, string identity, CancellationToken cancellationToken)
    {
        var next = V2Requests.NextPage(request);
        if (!next.IsValid)
        {
            return next.Error;
        }

        var outcome = await paging.NextPageAsync(next.Value.Token, identity, TokenFamilies.V2Manifest, next.Value.PageSize, cancellationToken);
        return outcome.Status switch
        {
            PageStatus.InvalidToken => Wire.BadRequest(ErrorTexts.InvalidNextPage(next.Value.Token)),
            PageStatus.Pending => Pages.Pending(outcome.Token),
            _ => Wire.Ok(new V2ManifestPage(StatusCodes.Status200OK, Pages.V2Manifest(outcome), outcome.NextPage)),
        };
    }

    /// <summary>The identity a v1 token is bound to: the verified email when signed in, else "Anonymous".</summary>
    public static string V1Identity(HttpContext context) => Auth.Callers.Email(context) ?? Identities.Anonymous;

    /// <summary>
    /// v1 nextPage routes take anonymous callers; a token is bound to the caller who started the listing, and a
    /// signed-in caller may also page a listing started anonymously (previews: anonymous tokens are anyone's).
    /// /dicomMetadata tokens are bound to no identity at all, as the original's were.
    /// </summary>
    private static async Task<PageOutcome> V1NextPageAsync(HttpRequest request, PagedQueries paging, NextPageRequest next, string family, CancellationToken cancellationToken)
    {
        var identity = family == TokenFamilies.V1DicomMetadata ? Identities.None : V1Identity(request.HttpContext);
        var outcome = await paging.NextPageAsync(next.Token, identity, family, next.PageSize, cancellationToken);
        if (outcome.Status == PageStatus.InvalidToken && identity != Identities.Anonymous && identity != Identities.None)
        {
            outcome = await paging.NextPageAsync(next.Token, Identities.Anonymous, family, next.PageSize, cancellationToken);
        }

        return outcome;
    }
}
