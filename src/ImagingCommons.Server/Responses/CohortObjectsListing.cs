using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Requests;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Responses;

/// <summary>
/// A cohort whose objects are listed: the <c>cohort</c> echo of its first page (given its SQL text), its validated
/// filters, and the release they run against.
/// </summary>
internal sealed record CohortObjectsDefinition<TCohort>(Func<string, TCohort> Echo, FilterSet Filters, string Release);

/// <summary>
/// The one code path of the v1 "cohort objects" routes (addendum H1-H10): <c>POST /v1/cohorts/preview</c> and
/// <c>GET /v1/cohorts/{id}</c>. The answer is the tree collections → patients → studies → series → instances down to
/// <c>return_level</c>, paged by leaves in id order on the shared engine, with tokens of the shared mechanism.
/// </summary>
internal static class CohortObjectsListing
{
    /// <summary>
    /// Answers a cohort-objects request, first page or next page, in the error order of addendum H7:
    /// a next-page call checks its token (6), re-resolves the cohort when <paramref name="resolveOnNextPages"/> (the
    /// saved-cohort route re-checks ownership on every page, H10.6), then page_size, and pages on; a first-page call
    /// checks its query keys and level (7), resolves the cohort (<paramref name="resolve"/>: the route's own checks,
    /// e.g. release or ownership), checks page_size (before any query runs, H10.9) and runs the query.
    /// </summary>
    /// <param name="identity">The identity tokens are bound to: "Anonymous" for the preview, the caller's email for a saved cohort.</param>
    /// <param name="family">The token family: <see cref="TokenFamilies.V1CohortPreview"/> or <see cref="TokenFamilies.V1Cohort"/>.</param>
    public static async Task<Results<WireOk<V1CohortObjectsResponse<TCohort>>, WireOk<V1CohortObjectsResponse<EmptyObject>>, WirePending, WireError>> RespondAsync<TCohort>(
        HttpRequest request,
        string identity,
        string family,
        Func<CancellationToken, ValueTask<(CohortObjectsDefinition<TCohort>? Definition, WireError? Error)>> resolve,
        bool resolveOnNextPages,
        PagedQueries paging,
        ILogger logger,
        CancellationToken cancellationToken)
        where TCohort : notnull
    {
        if (V1Requests.ContinuesOnSameRoute(request))
        {
            var text = RequestInput.Query(request, "next_page")!;
            if (!paging.TryOpen(text, identity, family, out var token, out var openSpec))
            {
                return Wire.BadRequest(ErrorTexts.InvalidNextPage(text));
            }

            if (resolveOnNextPages && (await resolve(cancellationToken)).Error is { } refused)
            {
                return refused;
            }

            if (!V1Requests.TryCohortObjectsPageSize(request, out var nextPageSize))
            {
                return Wire.BadRequest(ErrorTexts.V1BadPageSize);
            }

            var (next, nextError) = await RunAsync(() => paging.NextPageAsync(text, identity, family, nextPageSize, cancellationToken), QueryEngine.ResultKey(token.Release, openSpec), request.HttpContext.TraceIdentifier, logger);
            if (nextError is not null)
            {
                return nextError;
            }

            // Later pages do not repeat the cohort (H5); a token that expired since TryOpen is refused like any other.
            return next!.Status switch
            {
                PageStatus.InvalidToken => Wire.BadRequest(ErrorTexts.InvalidNextPage(text)),
                PageStatus.Pending => Pages.Pending(next.Token, cohort: EmptyObject.Instance, withManifestInfo: true),
                _ => Wire.Ok(new V1CohortObjectsResponse<EmptyObject>(StatusCodes.Status200OK, EmptyObject.Instance, Pages.Tree(next), next.NextPage)),
            };
        }

        if (V1Requests.CohortObjectsKeyError(request) is { } keyError)
        {
            return keyError;
        }

        var (definition, error) = await resolve(cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var (echo, filters, release) = definition!;
        var spec = new QuerySpec
        {
            Kind = QueryKind.V1CohortObjects,
            // A cohort saved through v2 keeps v2's filter rules when it is read as v1 cohort objects (the set knows its rules).
            Filters = filters,
            Level = RequestInput.Query(request, "return_level") ?? CohortLevels.Default,
        };

        // Built from validated input only, so this cannot fail on what a client sends (the original's
        // "Error in performing BQ query" has no counterpart). Compiled here so a 202 can echo the SQL too.
        var cohort = echo(RequestInput.V1Bool(request, "sql") ? QueryEngine.DisplaySql(SqlBuilder.Compile(spec), release) : "");

        if (!V1Requests.TryCohortObjectsPageSize(request, out var pageSize))
        {
            return Wire.BadRequest(ErrorTexts.V1BadPageSize);
        }

        var (page, pageError) = await RunAsync(() => paging.FirstPageAsync(identity, family, release, spec, pageSize, cancellationToken), QueryEngine.ResultKey(release, spec), request.HttpContext.TraceIdentifier, logger);
        if (pageError is not null)
        {
            return pageError;
        }

        return page!.Status == PageStatus.Pending
            ? Pages.Pending(page.Token, cohort: cohort, withManifestInfo: true)
            : Wire.Ok(new V1CohortObjectsResponse<TCohort>(StatusCodes.Status200OK, cohort, Pages.Tree(page), page.NextPage));
    }

    /// <summary>
    /// Runs the paging call; a failing query is H7.11's 500 "[ERROR] During query job …" rather than a bare exception.
    /// The reason names the correlation id the log has, never the exception's own text (which can hold file paths).
    /// </summary>
    private static async Task<(PageOutcome? Page, WireError? Error)> RunAsync(Func<Task<PageOutcome>> page, string jobId, string correlationId, ILogger logger)
    {
        try
        {
            return (await page(), null);
        }
        catch (Exception exception) when (exception is not (OperationCanceledException or TooManyQueriesException))
        {
            logger.LogError(exception, "Cohort objects query job {JobId} failed (correlation id {CorrelationId})", jobId, correlationId);
            var reason = $"the query failed; the server's log has the details under correlation id {correlationId}";
            return (null, Wire.Error(StatusCodes.Status500InternalServerError, ErrorTexts.V1QueryJobFailed(jobId, reason)));
        }
    }
}
