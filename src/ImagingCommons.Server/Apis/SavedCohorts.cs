using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Query;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// A cohort id as the client wrote it: any integer, echoed back as sent (2^64 and beyond included); only ids in the
/// store's range can name a cohort.
/// </summary>
internal readonly record struct CohortId(string Digits)
{
    /// <summary>The id as a JSON number with all its digits.</summary>
    public JsonNode ToJson() => JsonNode.Parse(Digits)!;

    /// <summary>The store id, or null when the number cannot be one (≤ 0 or beyond 64 bits).</summary>
    public long? StoreId => long.TryParse(Digits, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    public override string ToString() => Digits;

    /// <summary>A path segment: an unsigned integer of any size (leading zeros dropped).</summary>
    public static bool TryParsePath(string? text, out CohortId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text) || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        var digits = text.TrimStart('0');
        id = new CohortId(digits.Length == 0 ? "0" : digits);
        return true;
    }

    /// <summary>An item of a JSON list: an integer literal (no fraction or exponent), of any size.</summary>
    public static bool TryParseJson(JsonElement item, out CohortId id)
    {
        id = default;
        if (item.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        var raw = item.GetRawText();
        var negative = raw.StartsWith('-');
        var unsigned = negative ? raw[1..] : raw;
        if (unsigned.Length == 0 || !unsigned.All(char.IsAsciiDigit))
        {
            return false;
        }

        id = new CohortId(negative && unsigned.Trim('0').Length > 0 ? raw : unsigned);
        return true;
    }
}

/// <summary>What v1 and v2 share about saved cohorts: how they are shown, listed, deleted, checked and queried.</summary>
internal static partial class SavedCohorts
{
    public const int MaxIdsPerDelete = 1000;

    public const string NotOwnerSuffix = "isn't the owner of cohort ID {0}, or the cohort has been deleted.";

    /// <summary>GET on a POST-only literal route lands on the {cohort_id} route; it is still "Method does not exist.".</summary>
    public static bool IsReservedSegment(string segment) => segment is "preview" or "nextPage";

    public static JsonBody MethodDoesNotExist() => JsonBody.Error(StatusCodes.Status404NotFound, "Method does not exist.");

    public static JsonBody InvalidId(string text) => JsonBody.BadRequest($"{text} is not a valid cohort ID.");

    /// <summary>The caller may read (manifest, query) a cohort only if they own it and it is not deleted.</summary>
    public static bool CanRead(SavedCohort? cohort, UserAccount user) => cohort is { IsActive: true } && cohort.OwnerId == user.Id;

    /// <summary>The stored filters, parsed with the rules of the version they were saved through.</summary>
    public static FilterSet ParseFilters(SavedCohort cohort)
    {
        using var document = JsonDocument.Parse(cohort.Filters);
        var version = cohort.FilterApi == "v1" ? ApiVersion.V1 : ApiVersion.V2;
        return FilterParser.TryParse(version, document.RootElement, out var set, out var error)
            ? set
            : throw new InvalidOperationException($"The stored filters of cohort {cohort.Id} no longer validate: {error}");
    }

    /// <summary>
    /// The stored filters as a version shows them (spec §10 #27): v1 lists every value as a string; v2 lists the
    /// values of suffixed numeric filters as numbers and every other value as a string.
    /// </summary>
    public static JsonObject Filters(SavedCohort cohort, ApiVersion view)
    {
        var result = new JsonObject();
        foreach (var entry in ParseFilters(cohort).Entries)
        {
            var numeric = view == ApiVersion.V2 && entry is RangeFilter && entry.Suffix.Length > 0;
            result[entry.Key] = numeric ? entry.ToJsonArray() : new JsonArray([.. entry.TextValues.Select(v => (JsonNode)JsonValue.Create(v))]);
        }

        return result;
    }

    public static JsonObject FilterSet(SavedCohort cohort, ApiVersion view) => new()
    {
        ["idc_data_version"] = cohort.IdcDataVersion,
        ["filters"] = Filters(cohort, view),
    };

    /// <summary>An entry of GET /cohorts.</summary>
    public static JsonObject ListEntry(SavedCohort cohort, ApiVersion view) => new()
    {
        ["cohort_id"] = cohort.Id,
        ["name"] = cohort.Name,
        ["description"] = cohort.Description,
        ["owner"] = cohort.OwnerName,
        ["permission"] = "OWNER",
        ["filterSet"] = FilterSet(cohort, view),
    };

    /// <summary>The answer of POST /cohorts.</summary>
    public static JsonBody Created(SavedCohort cohort, ApiVersion view) => JsonBody.Ok(new JsonObject
    {
        ["code"] = 200,
        ["cohort_properties"] = new JsonObject
        {
            ["cohort_id"] = cohort.Id,
            ["name"] = cohort.Name,
            ["description"] = cohort.Description,
            ["filterSet"] = FilterSet(cohort, view),
        },
    });

    public static async Task<IResult> ListAsync(UserAccount user, ICohortStore cohorts, ApiVersion view, CancellationToken cancellationToken)
    {
        var list = await cohorts.ListActiveCohortsAsync(user.Id, cancellationToken);
        return JsonBody.Ok(new JsonObject
        {
            ["code"] = 200,
            ["cohorts"] = new JsonArray([.. list.Select(c => (JsonNode)ListEntry(c, view))]),
        });
    }

    /// <summary>The ids of a DELETE /cohorts body, <c>{"cohorts":[id, …]}</c>.</summary>
    public static bool TryReadIds(JsonDocument? body, string malformedMessage, out List<CohortId> ids, [NotNullWhen(false)] out IResult? error)
    {
        ids = [];
        error = null;
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = JsonBody.BadRequest(malformedMessage);
            return false;
        }

        if (!body.RootElement.TryGetProperty("cohorts", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            error = JsonBody.BadRequest("The body must name the cohorts to delete: {\"cohorts\": [<cohort ID>, ...]}.");
            return false;
        }

        if (list.GetArrayLength() > MaxIdsPerDelete)
        {
            error = JsonBody.BadRequest($"At most {MaxIdsPerDelete} cohorts can be deleted in one request.");
            return false;
        }

        foreach (var item in list.EnumerateArray())
        {
            if (!CohortId.TryParseJson(item, out var id))
            {
                error = InvalidId(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                return false;
            }

            ids.Add(id);
        }

        return true;
    }

    /// <summary>DELETE /cohorts and /cohorts/{id}: one result object per id, in request order (spec §6.8).</summary>
    public static async Task<IResult> DeleteAsync(IReadOnlyList<CohortId> ids, UserAccount user, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        var results = new JsonArray();
        foreach (var id in ids)
        {
            var deletion = id.StoreId is { } storeId
                ? await cohorts.DeleteCohortAsync(storeId, user.Id, cancellationToken)
                : new CohortDeletion(CohortDeletionStatus.NotFound, null);
            JsonObject result = deletion.Status switch
            {
                CohortDeletionStatus.Deleted => new JsonObject
                {
                    ["notes"] = $"Cohort {id} ('{deletion.Cohort!.Name}') has been deleted.",
                    ["data"] = new JsonObject { ["filters"] = new JsonArray(FilterGroup(deletion.Cohort)) },
                },
                CohortDeletionStatus.NotFound => new JsonObject { ["message"] = $"A cohort with the ID {id} was not found!" },
                CohortDeletionStatus.AlreadyDeleted => new JsonObject { ["message"] = $"Cohort ID {id} was not found - it may already be deleted." },
                _ => new JsonObject
                {
                    ["message"] = $"{user.Email} isn't the owner of cohort ID {id} and so cannot delete it.",
                    ["delete_permission"] = false,
                },
            };
            results.Add(new JsonObject { ["cohort_id"] = id.ToJson(), ["result"] = result });
        }

        return JsonBody.Ok(new JsonObject { ["code"] = 200, ["cohorts"] = results });
    }

    /// <summary>
    /// The query definition of a saved cohort for one kind of result. The filters keep the rules they were saved
    /// under (a v1 cohort read through v2 still means what it meant).
    /// </summary>
    public static QuerySpec Spec(SavedCohort cohort, QueryKind kind, IReadOnlyList<string> fields, bool counts = false, bool groupSize = false) => new()
    {
        Kind = kind,
        Filters = ParseFilters(cohort),
        Fields = fields,
        Counts = counts,
        GroupSize = groupSize,
    };

    /// <summary>A cohort pinned to a release this server no longer holds (removed from the data directory).</summary>
    public static JsonBody ReleaseGone(SavedCohort cohort) => JsonBody.Error(
        StatusCodes.Status410Gone,
        $"Cohort ID {cohort.Id} was made on IDC data version {cohort.IdcDataVersion}, which this server no longer holds.");

    /// <summary>The original rejected these script-like fragments in cohort names, descriptions and filters (spec §3).</summary>
    public static string? InvalidCharacters(string? name, string? description, FilterSet filters)
    {
        if (name is not null && Hostile(name))
        {
            return "Your cohort's name contains invalid characters; please edit and resubmit.";
        }

        if (description is not null && Hostile(description))
        {
            return "Your cohort's description contains invalid characters; please edit and resubmit.";
        }

        foreach (var entry in filters.Entries)
        {
            if (entry is TextFilter text && text.Values.Any(Hostile))
            {
                return "Your cohort's filters contain invalid characters; please edit and resubmit.";
            }
        }

        return null;
    }

    private static bool Hostile(string text) => HostilePattern().IsMatch(text);

    [GeneratedRegex("""<script>|</script>|!\[\]|\[\]\["[^"]*"\]|<iframe>|</iframe>""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HostilePattern();

    /// <summary>The deleted cohort's filters as the original listed them: one filter group, its values as strings.</summary>
    private static JsonObject FilterGroup(SavedCohort cohort) => new()
    {
        ["id"] = cohort.Id,
        ["data_version"] = cohort.IdcDataVersion,
        ["filters"] = new JsonArray([.. Filters(cohort, ApiVersion.V1).Select(f => (JsonNode)new JsonObject
        {
            ["name"] = f.Key,
            ["values"] = f.Value!.DeepClone(),
        })]),
    };
}
