using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;
using ImagingCommons.Server.Paging;

namespace ImagingCommons.Server.Apis;

/// <summary>Turns result rows into the wire shapes of each kind, and builds the shared 202 body.</summary>
internal static class ResultRendering
{
    public const string TimeoutMessage = "[ERROR] API query took longer than the allowed time to execute. Retry the query using the next_page token.";

    public static JsonArray Rows(PageOutcome outcome)
    {
        var handle = outcome.Handle!;
        var kind = outcome.Spec!.Kind;
        var array = new JsonArray();
        foreach (var row in outcome.Rows)
        {
            var item = new JsonObject();
            for (var i = 0; i < handle.Columns.Count; i++)
            {
                var column = handle.Columns[i];
                item[column.Name] = kind switch
                {
                    QueryKind.V1Manifest => ValueFormat.V1ManifestNode(row[i], column.Role),
                    QueryKind.V2Manifest => ValueFormat.ManifestNode(row[i], column.Type, column.Role),
                    _ => ValueFormat.BigQueryNode(row[i], column.Type),
                };
            }

            array.Add(item);
        }

        return array;
    }

    /// <summary>The results block: {"json_manifest"|"json"|"manifest_data": [...], "totalFound": N, "rowsReturned": n}.</summary>
    public static JsonObject Block(PageOutcome outcome, string rowsKey) => new()
    {
        [rowsKey] = Rows(outcome),
        ["totalFound"] = outcome.Handle!.Total,
        ["rowsReturned"] = outcome.Rows.Count,
    };

    /// <summary>
    /// The 202 body satisfies both shapes the original used: top-level next_page (v1 manifests, v2's OpenAPI)
    /// and query_info.next_page (v1 queries, /dicomMetadata, v2 before mid-2025). The v1 cohort-objects routes
    /// (<paramref name="withManifestInfo"/>) also carry the same content under manifest_info, their 2020 wrapper.
    /// </summary>
    public static JsonBody Pending(string token, JsonObject? queryInfo = null, bool withManifestInfo = false)
    {
        var info = queryInfo ?? new JsonObject();
        info["next_page"] = token;
        info["cohortObjects"] = new JsonObject { ["totalFound"] = 0, ["rowsReturned"] = 0, ["collections"] = new JsonArray() };
        var body = new JsonObject
        {
            ["code"] = StatusCodes.Status202Accepted,
            ["message"] = TimeoutMessage,
            ["next_page"] = token,
            ["query_info"] = info,
        };
        if (withManifestInfo)
        {
            body["manifest_info"] = info.DeepClone();
        }

        return new JsonBody(body, StatusCodes.Status202Accepted);
    }
}
