using System.Numerics;
using System.Reflection;
using System.Text.Json.Serialization;
using ImagingCommons.Contracts;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ImagingCommons.Server.OpenApi;

/// <summary>
/// What the schema generator cannot see by itself: the wire shapes of the contract types with converters of their own
/// (filter sets, result rows, ids of any size), and keys that are left out when null (so not required).
/// </summary>
internal static class ContractSchemas
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(Filters))
        {
            schema.Type = JsonSchemaType.Object;
            schema.AdditionalProperties = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                MinItems = 1,
                Items = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Number },
                Description = "The values of one key (OR-ed): strings, or numbers for numeric attributes (two for the _btw family).",
            };
        }
        else if (type == typeof(ResultRows))
        {
            schema.Type = JsonSchemaType.Array;
            schema.Items = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "One row: the requested fields (and counts) as keys; values are strings, integers, null, or arrays of strings.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Integer | JsonSchemaType.Array | JsonSchemaType.Null },
            };
        }
        else if (type == typeof(BigInteger))
        {
            schema.Type = JsonSchemaType.Integer;
            schema.Properties?.Clear();
            schema.Format = null;
        }
        else if (type.Namespace == typeof(ApiError).Namespace && schema.Required is { Count: > 0 } required)
        {
            foreach (var property in type.GetProperties())
            {
                if (property.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.WhenWritingNull
                    && property.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name)
                {
                    required.Remove(name.Name);
                }
            }
        }

        return Task.CompletedTask;
    }
}
