using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Requests;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// POST /api/v1/resolve (ours): what identifiers are, the server-side half of <c>idc download &lt;id&gt;…</c>. idc-index
/// looks an id up in its local index under collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID and
/// crdc_series_uuid; IDC's v2 filters cannot select by crdc_series_uuid, so a client asks here, and gets for each id the
/// attributes it is a value of (with the SeriesInstanceUID of a crdc_series_uuid), which v2 filters then select by.
/// </summary>
internal static class ResolveApi
{
    /// <summary>The attributes an id is looked up under, in idc-index's order.</summary>
    public static readonly IReadOnlyList<string> Attributes = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "crdc_series_uuid"];

    public const int MaxIds = 10_000;

    public const int MaxIdLength = 256;

    private static readonly string[] Keys = ["ids", "release"];

    public static IEndpointRouteBuilder MapResolveApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").WithTags("downloads");
        api.MapPost("/resolve", Resolve).WithName("resolve")
            .WithSummary("What identifiers are: collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID or crdc_series_uuid values")
            .WithDescription("For each id, the attributes it is a value of in the current release (or a held `release`), with the series it "
                + "selects; a crdc_series_uuid also names its SeriesInstanceUID, which v2 filters can select by. Matching is exact and "
                + "case-insensitive; collection ids are normalised as the API normalises them. At most 10,000 ids of at most 256 characters, without '%'.")
            .Accepts<ResolveRequest>("application/json")
            .Produces<ResolveResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static async Task<Results<Ok<ResolveResponse>, ProblemHttpResult>> Resolve(HttpRequest request, ReleaseCatalog catalog, IQueryEngine engine, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (!TryRead(body, catalog, out var ids, out var release, out var error))
        {
            return FacetsApi.Invalid(error);
        }

        var found = new Dictionary<string, List<ResolvedMatch>>(StringComparer.Ordinal);
        foreach (var attribute in Attributes)
        {
            foreach (var match in await MatchesAsync(engine, release, attribute, ids, cancellationToken))
            {
                var key = Key(attribute, match.Value);
                if (!found.TryGetValue(key, out var list))
                {
                    found[key] = list = [];
                }

                list.Add(match);
            }
        }

        return TypedResults.Ok(new ResolveResponse(release, [.. ids.Select(id => new ResolvedId(
            id,
            [.. Attributes.SelectMany(a => found.TryGetValue(Key(a, id), out var matches) ? matches.Where(m => m.Attribute == a) : [])]))]));
    }

    /// <summary>
    /// The distinct values of <paramref name="attribute"/> among <paramref name="ids"/>, with their series, by a v2
    /// manifest under v1 filter rules (v1 can filter by crdc_series_uuid; equality is case-insensitive there). At most
    /// one row per id comes back, so one page holds them all.
    /// </summary>
    private static async Task<IReadOnlyList<ResolvedMatch>> MatchesAsync(IQueryEngine engine, string release, string attribute, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var series = attribute == "crdc_series_uuid";
        using var filters = JsonDocument.Parse(new JsonObject { [attribute] = new JsonArray([.. ids.Select(id => (JsonNode)JsonValue.Create(id))]) }.ToJsonString());
        if (!FilterParser.TryParseV1(filters.RootElement, out var set, out var invalid))
        {
            throw new InvalidOperationException("The resolve filter does not validate: " + invalid);
        }

        var spec = new QuerySpec
        {
            Kind = QueryKind.V2Manifest,
            Filters = set,
            Fields = series ? [attribute, "SeriesInstanceUID"] : [attribute],
            Counts = true,
        };

        // No caller bound and a long deadline: the answer is synchronous; a pending result is collected by asking again.
        var query = new QueryRequest(release, spec, Caller: "", Deadline: TimeSpan.FromMinutes(1));
        QueryPage page;
        do
        {
            page = await engine.PageAsync(query, 0, ids.Count, cancellationToken);
        }
        while (page.Status == QueryStatus.Pending);

        var handle = page.Handle!;
        var value = Column(handle, attribute);
        var uid = series ? Column(handle, "SeriesInstanceUID") : -1;
        var count = Column(handle, "series_count");
        return [.. page.Rows.Where(r => r[value] is not null).Select(r => new ResolvedMatch(
            attribute,
            Convert.ToString(r[value], CultureInfo.InvariantCulture)!,
            count < 0 ? 1 : Convert.ToInt64(r[count], CultureInfo.InvariantCulture),
            uid < 0 ? null : Convert.ToString(r[uid], CultureInfo.InvariantCulture)))];
    }

    private static int Column(ResultHandle handle, string name)
    {
        for (var i = 0; i < handle.Columns.Count; i++)
        {
            if (handle.Columns[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>How the filters compare an id with a value: case-insensitively, collection ids normalised as v1 does.</summary>
    private static string Key(string attribute, string value) =>
        attribute + "\u0000" + (attribute == "collection_id" ? FilterSet.NormalizeCollectionId(value, ApiVersion.V1) : value.ToLowerInvariant());

    private static bool TryRead(
        JsonDocument? body, ReleaseCatalog catalog, [NotNullWhen(true)] out IReadOnlyList<string>? ids, [NotNullWhen(true)] out string? release, [NotNullWhen(false)] out string? error)
    {
        ids = null;
        release = null;
        const string Shape = "The body must be a JSON object: {\"ids\": [\"tcga_luad\", \"1.3.6.1.4.1.14519…\", …], \"release\": \"24.0\" (optional)}.";
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = Shape;
            return false;
        }

        var root = body.RootElement;
        foreach (var property in root.EnumerateObject())
        {
            if (!Keys.Contains(property.Name, StringComparer.Ordinal))
            {
                error = $"Unknown key '{property.Name}'. " + Shape;
                return false;
            }
        }

        if (!root.TryGetProperty("ids", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            error = "ids must be a non-empty array of strings. " + Shape;
            return false;
        }

        var distinct = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { } id || string.IsNullOrWhiteSpace(id))
            {
                error = $"{item.GetRawText()} is not an identifier: ids must be non-empty strings.";
                return false;
            }

            if (id.Length > MaxIdLength || id.Contains('%', StringComparison.Ordinal))
            {
                error = $"'{(id.Length > 40 ? id[..40] + "…" : id)}' is not an identifier: ids have at most {MaxIdLength} characters and no '%'.";
                return false;
            }

            if (seen.Add(id))
            {
                distinct.Add(id);
            }
        }

        if (distinct.Count > MaxIds)
        {
            error = $"At most {MaxIds} ids can be resolved in one request.";
            return false;
        }

        if (!FacetsApi.TryRelease(root, catalog, out release, out error))
        {
            return false;
        }

        ids = distinct;
        error = null;
        return true;
    }
}
