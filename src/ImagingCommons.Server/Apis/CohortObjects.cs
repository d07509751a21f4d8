using System.Globalization;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Paging;
using ImagingCommons.Data.Query;
using ImagingCommons.Server.Paging;
using Microsoft.AspNetCore.WebUtilities;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// A cohort whose objects are listed: the <c>cohort</c> echo of its first page (a <c>"sql"</c> key placed where the
/// route wants it is filled in), its validated v1 filters, and the release they run against.
/// </summary>
internal sealed record CohortDefinition(JsonObject Echo, FilterSet Filters, string Release);

/// <summary>The cohort a request is about, or the error that refuses the request.</summary>
internal sealed record CohortResolution(CohortDefinition? Definition, IResult? Error)
{
    public static CohortResolution Found(CohortDefinition definition) => new(definition, null);

    public static CohortResolution Refused(IResult error) => new(null, error);
}

/// <summary>
/// The one code path of the v1 "cohort objects" routes (addendum H1-H10): <c>POST /v1/cohorts/preview</c> and
/// <c>GET /v1/cohorts/{id}</c>. The answer is the tree collections → patients → studies → series → instances down to
/// <c>return_level</c>, paged by leaves in id order on the shared engine, with tokens of the shared mechanism.
/// </summary>
internal static class CohortObjects
{
    public const string InvalidToken = "Invalid next_page token ";
    public const string InvalidKey = "Invalid key ";
    public const string InvalidLevel = "Invalid return_level ";
    public const string QueryJobFailed = "[ERROR] During query job {0}: {1}";

    /// <summary>The query keys of a first-page request; <c>email</c> is accepted for old clients and never used (H10.8).</summary>
    private static readonly string[] Keys = ["return_level", "sql", "page_size", "next_page", "email"];

    /// <summary>A call that continues a listing: a non-empty <c>next_page</c> (an empty one counts as absent, H10.6).</summary>
    public static bool IsNextPageRequest(HttpRequest request) => !string.IsNullOrEmpty(RequestInput.Query(request, "next_page"));

    /// <summary>
    /// Answers a cohort-objects request, first page or next page, in the error order of addendum H7:
    /// a next-page call checks its token (6), re-resolves the cohort when <paramref name="resolveOnNextPages"/> (the
    /// saved-cohort route re-checks ownership on every page, H10.6), then page_size, and pages on; a first-page call
    /// checks its query keys and level (7), resolves the cohort (<paramref name="resolve"/>: the route's own checks,
    /// e.g. release or ownership), checks page_size (before any query runs, H10.9) and runs the query.
    /// </summary>
    /// <param name="identity">The identity tokens are bound to: "Anonymous" for the preview, the caller's email for a saved cohort.</param>
    /// <param name="family">The token family: <see cref="TokenFamilies.V1CohortPreview"/> or <see cref="TokenFamilies.V1Cohort"/>.</param>
    public static async Task<IResult> RespondAsync(
        HttpRequest request,
        string identity,
        string family,
        Func<CancellationToken, ValueTask<CohortResolution>> resolve,
        bool resolveOnNextPages,
        PagedQueries paging,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        if (IsNextPageRequest(request))
        {
            return await NextPageAsync(request, identity, family, resolveOnNextPages ? resolve : null, paging, logger, cancellationToken);
        }

        if (FirstPageKeyError(request) is { } keyError)
        {
            return keyError;
        }

        var resolution = await resolve(cancellationToken);
        if (resolution.Error is not null)
        {
            return resolution.Error;
        }

        var (echo, filters, release) = resolution.Definition!;
        var spec = new QuerySpec
        {
            Kind = QueryKind.V1CohortObjects,
            // A cohort saved through v2 keeps v2's filter rules when it is read as v1 cohort objects (the set knows its rules).
            Filters = filters,
            Level = RequestInput.Query(request, "return_level") ?? CohortLevels.Default,
        };

        // Built from validated input only, so this cannot fail on what a client sends (the original's
        // "Error in performing BQ query" has no counterpart). Compiled here so a 202 can echo the SQL too.
        echo["sql"] = RequestInput.V1Bool(request, "sql") ? QueryEngine.DisplaySql(SqlBuilder.Compile(spec), release) : "";

        if (!TryPageSize(request, out var pageSize))
        {
            return JsonBody.BadRequest(V1PreviewApi.BadPageSize);
        }

        var outcome = await RunAsync(
            () => paging.FirstPageAsync(identity, family, release, spec, pageSize, cancellationToken),
            QueryEngine.ResultKey(release, spec), logger);
        if (outcome.Error is not null)
        {
            return outcome.Error;
        }

        return Render(outcome.Page!, echo);
    }

    private static async Task<IResult> NextPageAsync(
        HttpRequest request,
        string identity,
        string family,
        Func<CancellationToken, ValueTask<CohortResolution>>? resolve,
        PagedQueries paging,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var text = RequestInput.Query(request, "next_page")!;
        if (!paging.TryOpen(text, identity, family, out var token, out var spec))
        {
            return JsonBody.BadRequest(InvalidToken + text);
        }

        if (resolve is not null && (await resolve(cancellationToken)).Error is { } refused)
        {
            return refused;
        }

        if (!TryPageSize(request, out var pageSize))
        {
            return JsonBody.BadRequest(V1PreviewApi.BadPageSize);
        }

        var outcome = await RunAsync(
            () => paging.NextPageAsync(text, identity, family, pageSize, cancellationToken),
            QueryEngine.ResultKey(token.Release, spec), logger);
        if (outcome.Error is not null)
        {
            return outcome.Error;
        }

        // Later pages do not repeat the cohort (H5); a token that expired since TryOpen is refused like any other.
        return outcome.Page!.Status == PageStatus.InvalidToken ? JsonBody.BadRequest(InvalidToken + text) : Render(outcome.Page, new JsonObject());
    }

    /// <summary>Step 7 of H7: every key must be known (the message names the last unknown one) and the level valid; the level message wins.</summary>
    internal static IResult? FirstPageKeyError(HttpRequest request)
    {
        var level = RequestInput.Query(request, "return_level");
        if (level is not null && CohortLevels.Depth(level) == 0)
        {
            return JsonBody.BadRequest(InvalidLevel + level);
        }

        string? unknown = null;
        if (request.QueryString.HasValue)
        {
            foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
            {
                var name = pair.DecodeName().ToString();
                if (!Keys.Contains(name))
                {
                    unknown = name;
                }
            }
        }

        return unknown is null ? null : JsonBody.BadRequest(InvalidKey + unknown);
    }

    /// <summary>page_size: an integer of at least 1 (H10.9), default 1000 on every call; sizes past the server's maximum give short pages.</summary>
    private static bool TryPageSize(HttpRequest request, out int pageSize) =>
        RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out pageSize) && pageSize >= 1;

    /// <summary>Runs the paging call; a failing query is H7.11's 500 "[ERROR] During query job …" rather than a bare exception.</summary>
    private static async Task<(PageOutcome? Page, IResult? Error)> RunAsync(Func<Task<PageOutcome>> page, string jobId, ILogger logger)
    {
        try
        {
            return (await page(), null);
        }
        catch (Exception exception) when (exception is not (OperationCanceledException or TooManyQueriesException))
        {
            logger.LogError(exception, "Cohort objects query job {JobId} failed", jobId);
            var message = string.Format(CultureInfo.InvariantCulture, QueryJobFailed, jobId, exception.Message);
            return (null, JsonBody.Error(StatusCodes.Status500InternalServerError, message));
        }
    }

    /// <summary>A page (200) or the 202 of a query still running, whose cohort echo is <paramref name="cohort"/>.</summary>
    private static IResult Render(PageOutcome outcome, JsonObject cohort)
    {
        if (outcome.Status == PageStatus.Pending)
        {
            return ResultRendering.Pending(outcome.Token, new JsonObject { ["cohort"] = cohort }, withManifestInfo: true);
        }

        return JsonBody.Ok(new JsonObject
        {
            ["code"] = 200,
            ["cohort"] = cohort,
            ["cohortObjects"] = new JsonObject
            {
                ["totalFound"] = outcome.Handle!.Total,
                ["rowsReturned"] = outcome.Rows.Count,
                ["collections"] = Tree(outcome.Rows),
            },
            ["next_page"] = outcome.NextPage,
        });
    }

    /// <summary>
    /// The tree of one page's rows. Each row is the id path of one leaf; rows that share an ancestor are merged into
    /// one node, nodes in order of first occurrence (the rows come in id order, so that is id order too). Leaves carry
    /// only their id; there is no empty child array.
    /// </summary>
    internal static JsonArray Tree(IReadOnlyList<object?[]> rows)
    {
        var root = new TreeNode(new JsonArray());
        foreach (var row in rows)
        {
            var node = root;
            for (var i = 0; i < row.Length; i++)
            {
                var id = row[i] is null ? null : Convert.ToString(row[i], CultureInfo.InvariantCulture);
                var key = (id is null, id ?? "");
                if (!node.Children.TryGetValue(key, out var child))
                {
                    var level = CohortLevels.All[i];
                    var item = new JsonObject { [level.Key] = id };
                    JsonArray? below = null;
                    if (i < row.Length - 1)
                    {
                        below = new JsonArray();
                        item[level.ChildrenKey!] = below;
                    }

                    node.Items!.Add(item);
                    child = new TreeNode(below);
                    node.Children.Add(key, child);
                }

                node = child;
            }
        }

        return root.Items!;
    }

    private sealed class TreeNode(JsonArray? items)
    {
        public JsonArray? Items { get; } = items;

        public Dictionary<(bool IsNull, string Id), TreeNode> Children { get; } = [];
    }
}
