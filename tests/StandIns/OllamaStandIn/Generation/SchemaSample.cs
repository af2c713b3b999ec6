using System.Text.Json;
using System.Text.Json.Nodes;

namespace Commons.StandIns.Ollama.Generation;

/// <summary>
/// Builds a value that satisfies a JSON schema well enough for structured-output clients: every property present,
/// the first enum or const value where there is one, the prose answer in the first free string.
/// </summary>
/// <remarks>
/// It follows <c>type</c>, <c>properties</c>, <c>items</c>, <c>enum</c>, <c>const</c>, <c>anyOf</c>/<c>oneOf</c>
/// and <c>minimum</c>/<c>minItems</c>; <c>$ref</c>, patterns and formats are not followed, and give null or a plain
/// string. A schema that needs those would need a real generator, which a stand-in has no use for.
/// </remarks>
internal static class SchemaSample
{
    private const int MaxDepth = 8;

    public static JsonNode? Build(JsonElement schema, string prose)
    {
        var proseUsed = false;
        return Value(schema, prose, ref proseUsed, depth: 0);
    }

    private static JsonNode? Value(JsonElement schema, string prose, ref bool proseUsed, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            return null;
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return JsonNode.Parse(constant.GetRawText());
        }

        if (schema.TryGetProperty("enum", out var choices) && choices.ValueKind == JsonValueKind.Array
            && choices.GetArrayLength() > 0)
        {
            return JsonNode.Parse(choices[0].GetRawText());
        }

        foreach (var alternatives in new[] { "anyOf", "oneOf", "allOf" })
        {
            if (schema.TryGetProperty(alternatives, out var options) && options.ValueKind == JsonValueKind.Array
                && options.GetArrayLength() > 0)
            {
                return Value(options[0], prose, ref proseUsed, depth + 1);
            }
        }

        return TypeOf(schema) switch
        {
            "object" => Object(schema, prose, ref proseUsed, depth),
            "array" => Array(schema, prose, ref proseUsed, depth),
            "string" => Text(prose, ref proseUsed),
            "integer" => JsonValue.Create(Minimum(schema)),
            "number" => JsonValue.Create((double)Minimum(schema)),
            "boolean" => JsonValue.Create(true),
            _ => null,
        };
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? "object" : null;
        }

        // A list such as ["string", "null"] allows several; the first that is not null is the useful one.
        return type.ValueKind switch
        {
            JsonValueKind.String => type.GetString(),
            JsonValueKind.Array => type.EnumerateArray()
                .Where(item => item.ValueKind == JsonValueKind.String)
                .Select(item => item.GetString())
                .FirstOrDefault(name => name != "null"),
            _ => null,
        };
    }

    private static JsonObject Object(JsonElement schema, string prose, ref bool proseUsed, int depth)
    {
        var result = new JsonObject();
        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                result[property.Name] = Value(property.Value, prose, ref proseUsed, depth + 1);
            }
        }

        return result;
    }

    private static JsonArray Array(JsonElement schema, string prose, ref bool proseUsed, int depth)
    {
        var result = new JsonArray();
        var count = schema.TryGetProperty("minItems", out var minItems) && minItems.TryGetInt32(out var least)
            ? Math.Clamp(least, 0, 3)
            : 0;
        if (count > 0 && schema.TryGetProperty("items", out var items))
        {
            for (var index = 0; index < count; index++)
            {
                result.Add(Value(items, prose, ref proseUsed, depth + 1));
            }
        }

        return result;
    }

    private static JsonValue Text(string prose, ref bool proseUsed)
    {
        if (proseUsed)
        {
            return JsonValue.Create("stand-in");
        }

        proseUsed = true;
        return JsonValue.Create(prose);
    }

    private static long Minimum(JsonElement schema) =>
        schema.TryGetProperty("minimum", out var minimum) && minimum.TryGetDouble(out var least)
            ? (long)Math.Ceiling(least)
            : 0;
}
