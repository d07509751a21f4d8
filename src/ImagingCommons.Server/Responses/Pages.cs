using System.Globalization;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Schema;
using ImagingCommons.Server.Paging;

namespace ImagingCommons.Server.Responses;

/// <summary>Turns a page of the engine's rows into the wire blocks of each kind, and builds the shared 202 body.</summary>
internal static class Pages
{
    /// <summary>The rows of a page, with each column's wire style by the query kind (spec §6.6, §6.7, §7.8.7).</summary>
    public static ResultRows Rows(PageOutcome outcome)
    {
        var kind = outcome.Spec!.Kind;
        var columns = outcome.Handle!.Columns.Select(c => new ResultColumn(c.Name, ValueFormat.Style(kind, c))).ToList();
        return new ResultRows(columns, outcome.Rows);
    }

    public static V1ManifestBlock V1Manifest(PageOutcome outcome) => new(Rows(outcome), outcome.Handle!.Total, outcome.Rows.Count);

    public static QueryResultsBlock QueryResults(PageOutcome outcome) => new(Rows(outcome), outcome.Handle!.Total, outcome.Rows.Count);

    public static V2ManifestBlock V2Manifest(PageOutcome outcome) => new(Rows(outcome), outcome.Handle!.Total, outcome.Rows.Count);

    /// <summary>
    /// The 202 body, in both shapes the original used: the token at the top level and in query_info (spec §8.3),
    /// with the request's cohort echo where the route has one; the cohort-objects routes also repeat it under
    /// manifest_info, their 2020 wrapper.
    /// </summary>
    public static WirePending Pending(string token, object? cohortDef = null, object? cohort = null, bool withManifestInfo = false)
    {
        var info = new PendingInfo(cohortDef, cohort, token, CohortObjectsTree.Empty);
        return new WirePending(new PendingResponse(StatusCodes.Status202Accepted, ErrorTexts.QueryTimeout, token, info, withManifestInfo ? info : null));
    }

    /// <summary>
    /// The tree of one page's rows (addendum H3). Each row is the id path of one leaf; rows that share an ancestor are
    /// merged into one node, nodes in order of first occurrence (the rows come in id order, so that is id order too).
    /// Leaves carry only their id; there is no empty child array.
    /// </summary>
    public static CohortObjectsTree Tree(PageOutcome outcome)
    {
        var root = new TreeNode(null);
        foreach (var row in outcome.Rows)
        {
            var node = root;
            for (var i = 0; i < row.Length; i++)
            {
                var id = row[i] is null ? null : Convert.ToString(row[i], CultureInfo.InvariantCulture);
                var key = (id is null, id ?? "");
                if (!node.Children.TryGetValue(key, out var child))
                {
                    child = new TreeNode(id);
                    node.Children.Add(key, child);
                    node.Order.Add(child);
                }

                node = child;
            }
        }

        var depth = outcome.Rows.Count == 0 ? 0 : outcome.Rows[0].Length;
        return new CohortObjectsTree(
            outcome.Handle!.Total,
            outcome.Rows.Count,
            [.. root.Order.Select(c => new CollectionNode(c.Id, depth > 1 ? [.. c.Order.Select(p => Patient(p, depth))] : null))]);
    }

    private static PatientNode Patient(TreeNode node, int depth) =>
        new(node.Id, depth > 2 ? [.. node.Order.Select(s => Study(s, depth))] : null);

    private static StudyNode Study(TreeNode node, int depth) =>
        new(node.Id, depth > 3 ? [.. node.Order.Select(s => Series(s, depth))] : null);

    private static SeriesNode Series(TreeNode node, int depth) =>
        new(node.Id, depth > 4 ? [.. node.Order.Select(i => new InstanceNode(i.Id))] : null);

    private sealed class TreeNode(string? id)
    {
        public string? Id { get; } = id;

        public Dictionary<(bool IsNull, string Id), TreeNode> Children { get; } = [];

        public List<TreeNode> Order { get; } = [];
    }
}
