using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

// The metadata routes of v1 and v2 (spec §6.1-6.5, §7.1-7.7). Keys are in the order the original wrote them
// (Flask sorted them alphabetically), which is the order of the properties below.

/// <summary>GET /v1/about, /v2/about.</summary>
/// <param name="Code">200.</param>
/// <param name="Documentation">Where the interactive API page and the documentation are.</param>
/// <param name="Message">The welcome text, naming the API version.</param>
/// <param name="Synthetic">Present (and true) when the release served is synthetic (made by <c>idc generate</c>): its objects do not exist in any store.</param>
public sealed record AboutResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("documentation")] string Documentation,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("synthetic"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Synthetic = null);

/// <summary>GET /health (ours).</summary>
/// <param name="Status">"ok".</param>
/// <param name="CurrentRelease">The release served, or null while none is held.</param>
public sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("current_release")] string? CurrentRelease);

/// <summary>GET /v1/versions, /v2/versions: every IDC data version; exactly one is active.</summary>
/// <param name="Code">200.</param>
/// <param name="Versions">The versions, oldest first.</param>
public sealed record VersionsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("versions")] IReadOnlyList<VersionItem> Versions);

/// <summary>One IDC data version.</summary>
/// <param name="Active">Whether this is the version served (the current one).</param>
/// <param name="DataSources">The version's tables (what filters and fields read), as the 2020-2021 API listed them.</param>
/// <param name="DateActive">When it became active, yyyy-MM-dd.</param>
/// <param name="IdcDataVersion">The version, e.g. "24.0".</param>
public sealed record VersionItem(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("data_sources")] IReadOnlyList<VersionDataSource> DataSources,
    [property: JsonPropertyName("date_active")] string DateActive,
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion);

/// <summary>A table of a version, as the 2020-2021 /versions listed it.</summary>
/// <param name="DataType">"Image Data" for the instance table, "Clinical, Biospecimen, and Mutation Data" for the TCGA tables.</param>
/// <param name="Name">The table, e.g. "bigquery-public-data.idc_v24.dicom_pivot".</param>
public sealed record VersionDataSource(
    [property: JsonPropertyName("data_type")] string DataType,
    [property: JsonPropertyName("name")] string Name);

/// <summary>GET /v1/collections: the current version's original collections in storage order.</summary>
/// <param name="Code">200.</param>
/// <param name="Collections">The collections.</param>
public sealed record V1CollectionsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("collections")] IReadOnlyList<V1Collection> Collections);

/// <summary>A collection as v1 lists it.</summary>
/// <param name="CancerType">Cancer types, comma separated.</param>
/// <param name="CollectionId">The id, lower case with underscores (tcga_luad).</param>
/// <param name="DateUpdated">Last update, yyyy-MM-dd.</param>
/// <param name="Description">HTML description.</param>
/// <param name="Doi">Source DOI(s), space separated.</param>
/// <param name="ImageTypes">Modalities, comma+space separated.</param>
/// <param name="Location">Tumour locations.</param>
/// <param name="Species">Species.</param>
/// <param name="SubjectCount">Number of subjects.</param>
/// <param name="SupportingData">Supporting data kinds.</param>
public sealed record V1Collection(
    [property: JsonPropertyName("cancer_type")] string? CancerType,
    [property: JsonPropertyName("collection_id")] string CollectionId,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("doi")] string? Doi,
    [property: JsonPropertyName("image_types")] string? ImageTypes,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("species")] string? Species,
    [property: JsonPropertyName("subject_count")] long? SubjectCount,
    [property: JsonPropertyName("supporting_data")] string? SupportingData);

/// <summary>GET /v2/collections: the current version's original collections sorted by id.</summary>
/// <param name="Code">200.</param>
/// <param name="Collections">The collections.</param>
public sealed record V2CollectionsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("collections")] IReadOnlyList<V2Collection> Collections);

/// <summary>A collection as v2 lists it.</summary>
/// <param name="CancerType">Cancer types.</param>
/// <param name="CollectionId">The id.</param>
/// <param name="DateUpdated">Last update, yyyy-MM-dd.</param>
/// <param name="Description">HTML description.</param>
/// <param name="ImageTypes">Modalities.</param>
/// <param name="Location">Tumour locations.</param>
/// <param name="SourceDoi">Source DOI(s).</param>
/// <param name="SourceUrl">Source URL(s).</param>
/// <param name="Species">Species.</param>
/// <param name="SubjectCount">Number of subjects.</param>
/// <param name="SupportingData">Supporting data kinds.</param>
public sealed record V2Collection(
    [property: JsonPropertyName("cancer_type")] string? CancerType,
    [property: JsonPropertyName("collection_id")] string CollectionId,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("image_types")] string? ImageTypes,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("source_doi")] string? SourceDoi,
    [property: JsonPropertyName("source_url")] string? SourceUrl,
    [property: JsonPropertyName("species")] string? Species,
    [property: JsonPropertyName("subject_count")] long? SubjectCount,
    [property: JsonPropertyName("supporting_data")] string? SupportingData);

/// <summary>GET /v1/analysis_results.</summary>
/// <param name="AnalysisResults">The analysis results.</param>
/// <param name="Code">200.</param>
public sealed record V1AnalysisResultsResponse(
    [property: JsonPropertyName("analysisResults")] IReadOnlyList<V1AnalysisResult> AnalysisResults,
    [property: JsonPropertyName("code")] int Code);

/// <summary>An analysis result as v1 lists it (its <c>description</c> is the title, as in the original).</summary>
/// <param name="Active">Always true.</param>
/// <param name="AnalysisArtifacts">Modalities of its objects.</param>
/// <param name="CancerType">Cancer types.</param>
/// <param name="Collections">Source collections.</param>
/// <param name="DateUpdated">Last update.</param>
/// <param name="Description">The title.</param>
/// <param name="Doi">Source DOI.</param>
/// <param name="IdcDataVersions">The original's placeholder list.</param>
/// <param name="Location">Tumour locations.</param>
/// <param name="SubjectCount">Number of subjects.</param>
public sealed record V1AnalysisResult(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("analysisArtifacts")] string? AnalysisArtifacts,
    [property: JsonPropertyName("cancer_type")] string? CancerType,
    [property: JsonPropertyName("collections")] string? Collections,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("doi")] string? Doi,
    [property: JsonPropertyName("idc_data_versions")] IReadOnlyList<string> IdcDataVersions,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("subject_count")] long? SubjectCount);

/// <summary>GET /v2/analysis_results.</summary>
/// <param name="AnalysisResults">The analysis results.</param>
/// <param name="Code">200.</param>
public sealed record V2AnalysisResultsResponse(
    [property: JsonPropertyName("analysisResults")] IReadOnlyList<V2AnalysisResult> AnalysisResults,
    [property: JsonPropertyName("code")] int Code);

/// <summary>An analysis result as v2 lists it.</summary>
/// <param name="AnalysisArtifacts">Modalities of its objects.</param>
/// <param name="AnalysisResultId">The id.</param>
/// <param name="CancerType">Cancer types.</param>
/// <param name="Collections">Source collections.</param>
/// <param name="DateUpdated">Last update.</param>
/// <param name="Description">HTML description.</param>
/// <param name="Doi">Source DOI.</param>
/// <param name="Location">Tumour locations.</param>
/// <param name="Subjects">Number of subjects.</param>
/// <param name="Title">The title.</param>
public sealed record V2AnalysisResult(
    [property: JsonPropertyName("analysisArtifacts")] string? AnalysisArtifacts,
    [property: JsonPropertyName("analysis_result_id")] string AnalysisResultId,
    [property: JsonPropertyName("cancer_type")] string? CancerType,
    [property: JsonPropertyName("collections")] string? Collections,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("doi")] string? Doi,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("subjects")] long? Subjects,
    [property: JsonPropertyName("title")] string? Title);

/// <summary>GET /v1/attributes: the filterable attributes per data source.</summary>
/// <param name="Code">200.</param>
/// <param name="IdcDataVersion">The version described.</param>
/// <param name="DataSources">The sources.</param>
public sealed record V1AttributesResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion,
    [property: JsonPropertyName("data_sources")] IReadOnlyList<V1AttributeSource> DataSources);

/// <summary>A data source and its attributes.</summary>
/// <param name="DataSource">The table name.</param>
/// <param name="Attributes">Its attributes.</param>
public sealed record V1AttributeSource(
    [property: JsonPropertyName("data_source")] string DataSource,
    [property: JsonPropertyName("attributes")] IReadOnlyList<V1Attribute> Attributes);

/// <summary>A v1 attribute.</summary>
/// <param name="Name">The key to filter on (bare or suffixed).</param>
/// <param name="DataType">"Categorical String", "Continuous Numeric", ….</param>
/// <param name="Active">Always true.</param>
/// <param name="Units">Units, or null.</param>
public sealed record V1Attribute(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("data_type")] string DataType,
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("units")] string? Units);

/// <summary>GET /v2/filters.</summary>
/// <param name="Code">200.</param>
/// <param name="DataSources">The sources and their filters.</param>
public sealed record V2FiltersResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("data_sources")] IReadOnlyList<V2FilterSource> DataSources);

/// <summary>A data source and its filters.</summary>
/// <param name="DataSource">The table name.</param>
/// <param name="Filters">Its filters (ranged attributes only in their nine suffixed forms).</param>
public sealed record V2FilterSource(
    [property: JsonPropertyName("data_source")] string DataSource,
    [property: JsonPropertyName("filters")] IReadOnlyList<V2Filter> Filters);

/// <summary>A v2 filter.</summary>
/// <param name="Name">The key to filter on.</param>
/// <param name="DataType">"Categorical String", "Ranged Integer", ….</param>
/// <param name="Units">Units, or null.</param>
public sealed record V2Filter(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("data_type")] string DataType,
    [property: JsonPropertyName("units")] string? Units);

/// <summary>GET /v2/filters/values/{filter}: the distinct values of a categorical filter, null first.</summary>
/// <param name="Code">200.</param>
/// <param name="Values">The values as strings (at most 5000).</param>
public sealed record V2FilterValuesResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("values")] IReadOnlyList<string?> Values);

/// <summary>GET /v2/fields/{version}.</summary>
/// <param name="Code">200.</param>
/// <param name="IdcDataVersion">The version asked for.</param>
/// <param name="DataSources">The sources and their fields.</param>
public sealed record V2FieldsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion,
    [property: JsonPropertyName("data_sources")] IReadOnlyList<V2FieldSource> DataSources);

/// <summary>A data source and its manifest fields.</summary>
/// <param name="DataSource">The table name.</param>
/// <param name="Fields">Its fields, sorted case-insensitively.</param>
public sealed record V2FieldSource(
    [property: JsonPropertyName("data_source")] string DataSource,
    [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields);
