using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Requests;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// POST /api/v1/facets, our extension for the portal (neither IDC's API nor idc-index counts facets): the totals of a
/// v2 filter set and every value's counts per attribute under the other filters. Errors are problem details.
/// </summary>
internal static class FacetsApi
{
    /// <summary>
    /// The attributes coded at start: the portal's facets (site/builder.js, FACETS), which its first screen counts,
    /// and the counts of IDC's documentation (Modality, BodyPartExamined), which the query engine takes from the index.
    /// </summary>
    internal static readonly string[] FirstAttributes =
        ["collection_id", "Modality", "BodyPartExamined", "CancerType", "tcia_tumorLocation", "license_short_name", "gender", "race", "age_at_diagnosis"];

    public static IServiceCollection AddFacets(this IServiceCollection services)
    {
        // One build of each release's series table serves the manifests and the facets: wait for the query
        // engine's, then read the same cache file.
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<ReleaseCatalog>().Data;
            var indexes = new SeriesIndexes(data);
            return new FacetEngine(data, async release =>
            {
                // Resolved when first needed, not here: the query engine takes this engine's totals (QueryExtensions).
                await sp.GetRequiredService<QueryEngine>().WarmUpAsync(release, CancellationToken.None).ConfigureAwait(false);
                return await indexes.Start(release).ConfigureAwait(false) is { } columns ? new SeriesTableFile(indexes.TablePath(release), columns) : null;
            });
        });
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ExtensionsJsonContext.Default));
        services.AddHostedService<FacetWarmUp>();
        return services;
    }

    public static IEndpointRouteBuilder MapFacetsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").WithTags("facets");
        api.MapPost("/facets", Count).WithName("facets")
            .WithSummary("Cohort totals and per-attribute value counts under the other filters")
            .WithDescription("For a v2 filter set on a held release: the totals (collections, patients, studies, series, instances, bytes) and, "
                + "for each requested attribute, every value with its series and patients counted under all the other filters "
                + "(the attribute's own clauses excluded, as GDC's facets do). Ranged attributes get a histogram; TCGA attributes "
                + "report the series of patients without a record, which every value's filter lets through.")
            .Accepts<FacetsRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static async Task<Results<Ok<FacetsResponse>, ProblemHttpResult>> Count(
        HttpRequest request, ReleaseCatalog catalog, FacetEngine engine, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Invalid("The body must be a JSON object: {\"filters\": {…}, \"facets\": [\"Modality\", …], \"release\": \"24.0\"}.");
        }

        if (!TryQuery(body.RootElement, catalog, out var release, out var query, out var error))
        {
            return Invalid(error);
        }

        try
        {
            var result = await engine.CountAsync(release, query, cancellationToken);
            return TypedResults.Ok(Shape(result));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The portal drops a request when a newer one supersedes it: nobody reads this answer.
            return TypedResults.Problem("The request was abandoned by the client.", statusCode: ClientClosedRequest);
        }
    }

    private static readonly string[] BodyKeys = ["filters", "release", "facets", "limit", "bins"];

    /// <summary>nginx's status for a request whose client went away before the answer.</summary>
    private const int ClientClosedRequest = 499;

    private static bool TryQuery(JsonElement root, ReleaseCatalog catalog, [NotNullWhen(true)] out string? release, [NotNullWhen(true)] out FacetQuery? query, [NotNullWhen(false)] out string? error)
    {
        release = null;
        query = null;
        var unknown = root.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !BodyKeys.Contains(name));
        if (unknown is not null)
        {
            error = $"'{unknown}' is not a key of a facet request (keys: {string.Join(", ", BodyKeys)}).";
            return false;
        }

        if (!TryRelease(root, catalog, out release, out error))
        {
            return false;
        }

        using var empty = JsonDocument.Parse("{}");
        var filtersElement = root.TryGetProperty("filters", out var f) && f.ValueKind != JsonValueKind.Null ? f : empty.RootElement;
        if (!FilterParser.TryParseV2(filtersElement, out var filters, out error))
        {
            return false;
        }

        var attributes = new List<FilterAttribute>();
        if (root.TryGetProperty("facets", out var facets) && facets.ValueKind != JsonValueKind.Null)
        {
            if (facets.ValueKind != JsonValueKind.Array)
            {
                error = "'facets' must be an array of v2 filter attribute names.";
                return false;
            }

            foreach (var item in facets.EnumerateArray())
            {
                var name = item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();
                var attribute = ApiCatalog.V2Filters.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
                if (attribute is null)
                {
                    error = $"{name} is not a v2 filter attribute (GET /v2/filters lists them; give base names, without suffixes).";
                    return false;
                }

                if (!attributes.Contains(attribute))
                {
                    attributes.Add(attribute);
                }
            }
        }

        if (!TryInteger(root, "limit", FacetQuery.DefaultLimit, FacetQuery.MaxLimit, out var limit, out error)
            || !TryInteger(root, "bins", FacetQuery.DefaultBins, FacetQuery.MaxBins, out var bins, out error))
        {
            return false;
        }

        query = new FacetQuery(filters, attributes, limit, bins);
        return true;
    }

    /// <summary>The release asked for (absent, null or "": the current one), which must be held.</summary>
    internal static bool TryRelease(JsonElement root, ReleaseCatalog catalog, [NotNullWhen(true)] out string? release, [NotNullWhen(false)] out string? error)
    {
        release = catalog.CurrentRelease!;
        error = null;
        if (!root.TryGetProperty("release", out var value) || value.ValueKind == JsonValueKind.Null || value is { ValueKind: JsonValueKind.String } && value.GetString() == "")
        {
            return true;
        }

        var held = catalog.HeldReleases;
        if (value.ValueKind != JsonValueKind.String || !held.Contains(value.GetString()!))
        {
            error = $"Release {value.GetRawText()} is not held by this server; it holds {string.Join(", ", held)}.";
            release = null;
            return false;
        }

        release = value.GetString()!;
        return true;
    }

    private static bool TryInteger(JsonElement root, string key, int fallback, int max, out int value, [NotNullWhen(false)] out string? error)
    {
        value = fallback;
        error = null;
        if (!root.TryGetProperty(key, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out value) || value < 1 || value > max)
        {
            error = $"'{key}' must be an integer from 1 to {max.ToString(CultureInfo.InvariantCulture)}.";
            return false;
        }

        return true;
    }

    internal static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");

    private static FacetsResponse Shape(FacetResult result) => new(
        result.Release,
        new CohortTotals(result.Totals.Collections, result.Totals.Patients, result.Totals.Studies, result.Totals.Series, result.Totals.Instances, result.Totals.Bytes),
        [.. result.Facets.Select(f => new FacetCounts(
            f.Attribute.Name,
            f.Attribute.DataTypeName,
            ApiCatalog.TableName(f.Attribute.EvaluatedIn),
            f.Values?.Select(v => new FacetValueCount(Value(v.Value), v.Series, v.Patients)).ToList(),
            f.ValueCount,
            f.Truncated,
            f.Histogram is { } h ? new FacetHistogramCounts(h.Min, h.Max, [.. h.Bins.Select(b => new FacetBinCount(b.Lower, b.Upper, b.UpperInclusive, b.Series, b.Patients))]) : null,
            CountShape(f.Missing),
            CountShape(f.Unrecorded)))]);

    private static SeriesAndPatients? CountShape(FacetCount? count) => count is null ? null : new SeriesAndPatients(count.Series, count.Patients);

    private static FilterValue? Value(object? value) => value switch
    {
        null => (FilterValue?)null,
        long l => FilterValue.Number(l),
        double d => FilterValue.Number(d),
        _ => FilterValue.String(Convert.ToString(value, CultureInfo.InvariantCulture)!),
    };
}

/// <summary>Builds the current release's facet index in the background, after the query engine's series table.</summary>
internal sealed class FacetWarmUp(ReleaseCatalog catalog, FacetEngine engine, TimeProvider time, ILogger<FacetWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (catalog.CurrentRelease is not { } release)
        {
            return;
        }

        var started = time.GetTimestamp();
        try
        {
            await engine.WarmUpAsync(release, FacetsApi.FirstAttributes).WaitAsync(stoppingToken);
            logger.LogInformation("Facet index of release {Release} ready after {Seconds:F1} s", release, time.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping (or a start that failed): the load ends with the engine.
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "The facet index of release {Release} could not be built; facets read the instance table", release);
        }
    }
}
