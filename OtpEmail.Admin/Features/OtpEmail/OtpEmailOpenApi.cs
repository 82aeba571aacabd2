using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>What the generated OpenAPI schemas cannot say by themselves: the verification modes are a oneof; the delivery states.</summary>
internal static class OtpEmailOpenApi
{
    public static void Describe(OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        if (context.JsonTypeInfo.Type == typeof(SetEmail))
        {
            schema.Description = "The address and how it is verified: exactly one of sendCode (a mail with a link; " +
                "urlTemplate may use {{.UserID}}, {{.Code}}, {{.OrgID}}), returnCode (the code comes back once in the response) " +
                "or isVerified: true (ready at once). None given means sendCode. snake_case names are accepted too.";
            schema.Required = new HashSet<string> { "address" };
            schema.OneOf =
            [
                new OpenApiSchema { Required = new HashSet<string> { "sendCode" } },
                new OpenApiSchema { Required = new HashSet<string> { "returnCode" } },
                new OpenApiSchema { Required = new HashSet<string> { "isVerified" } },
            ];
            schema.Examples = [JsonNode.Parse("""{"address":"mini@mouse.com","sendCode":{"urlTemplate":"https://example.com/verify?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}"}}""")!];
        }

        if (context.JsonTypeInfo.Type == typeof(OtpEmailDeliveryResponse) && schema.Properties?["state"] is OpenApiSchema state)
        {
            state.Enum = [.. OtpEmailDeliveryResponse.States.Select(s => (JsonNode)JsonValue.Create(s))];
        }

        return Task.CompletedTask;
    });
}
