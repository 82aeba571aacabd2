using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OtpEmail.Admin.Infrastructure.Json;

/// <summary>
/// JSON as the proto3 JSON mapping writes it: camelCase out, camelCase or snake_case in, unknown
/// fields ignored, wrong types rejected, nulls left out.
/// </summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { AcceptSnakeCaseNames } };
        options.Converters.Add(new Rfc3339Converter());
    }

    /// <summary>Adds a write-less snake_case twin to every settable camelCase property.</summary>
    private static void AcceptSnakeCaseNames(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var twins = new List<JsonPropertyInfo>();
        foreach (var property in typeInfo.Properties)
        {
            if (property.Set is null)
            {
                continue;
            }

            var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            if (snake == property.Name)
            {
                continue;
            }

            var twin = typeInfo.CreateJsonPropertyInfo(property.PropertyType, snake);
            twin.Set = property.Set;
            twin.Get = null;
            twin.CustomConverter = property.CustomConverter;
            twin.NumberHandling = property.NumberHandling;
            twins.Add(twin);
        }

        foreach (var twin in twins)
        {
            typeInfo.Properties.Add(twin);
        }
    }

    /// <summary>Timestamps as RFC 3339 in UTC with milliseconds, like protobuf's JSON mapping.</summary>
    private sealed class Rfc3339Converter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }
}
