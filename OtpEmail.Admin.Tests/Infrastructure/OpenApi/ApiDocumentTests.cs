using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.ActionConstraints;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Tests.Infrastructure.Http;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.OpenApi;

[Collection(ApiCollection.Name)]
public sealed class ApiDocumentTests(ApiFixture fixture)
{
    [Fact]
    public async Task TheDocumentListsEveryRouteTheControllersMap()
    {
        var mapped = fixture.App.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<ControllerActionDescriptor>()
            .SelectMany(action => action.ActionConstraints!.OfType<HttpMethodActionConstraint>().Single().HttpMethods
                .Select(method => $"{method.ToLowerInvariant()} /{action.AttributeRouteInfo!.Template}"))
            .Order()
            .ToList();

        var document = await DocumentAsync();
        var described = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => $"{operation.Key} {path.Key}"))
            .Order()
            .ToList();

        Assert.Contains("post /v3alpha/users/{userId}/otp_email", mapped);
        Assert.Equal(mapped, described);
    }

    [Fact]
    public async Task TheDocumentSaysWhatIsOnTheWire()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!;

        var email = schemas["SetEmail"]!;
        Assert.Equal(["sendCode", "returnCode", "isVerified"], email["oneOf"]!.AsArray().Select(choice => choice!["required"]![0]!.GetValue<string>()));
        Assert.Equal("string", schemas["Details"]!["properties"]!["sequence"]!["type"]!.GetValue<string>());
        Assert.Equal("string", schemas["AddOtpEmailResponse"]!["properties"]!["otpEmailId"]!["type"]!.GetValue<string>());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]!.GetValue<string>());
        Assert.Contains("/connect/token", document["components"]!["securitySchemes"]!["Bearer"]!["description"]!.GetValue<string>());

        var add = document["paths"]!["/v3alpha/users/{userId}/otp_email"]!["post"]!;
        Assert.Equal("#/components/schemas/AddOtpEmailResponse", add["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        foreach (var status in new[] { "400", "401", "403", "404", "409", "429" })
        {
            Assert.Equal("#/components/schemas/ErrorBody", add["responses"]![status]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        }

        Assert.Equal("Bearer", add["security"]![0]!.AsObject().Single().Key);
        Assert.NotNull(schemas["ErrorBody"]!["properties"]!["details"]);
    }

    [Fact]
    public async Task TheDocumentDescribesTheIdempotencyKeyOnTheFourRetryableOperations()
    {
        var document = await DocumentAsync();

        var withKey = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(operation => operation.Value!["parameters"]?.AsArray().Any(p => p!["name"]!.GetValue<string>() == "Idempotency-Key" && p["in"]!.GetValue<string>() == "header") == true)
                .Select(operation => $"{operation.Key} {path.Key}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(
            ["post /v3alpha/users", "post /v3alpha/users/otp_email/_bulk", "post /v3alpha/users/{userId}/otp_email", "post /v3alpha/users/{userId}/otp_email/{otpEmailId}/_resend"],
            withKey);
        var add = document["paths"]!["/v3alpha/users/{userId}/otp_email"]!["post"]!;
        Assert.Equal("#/components/schemas/ErrorBody", add["responses"]!["422"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Contains("Aborted", add["responses"]!["409"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheTryItPageIsServedInDevelopmentOnly()
    {
        var development = await fixture.Api.GetAsync("/scalar/", as_: null);
        await using var production = new AppFactory(25, ProductionTests.Settings(), environment: "Production");

        using var refused = await production.StartClient().GetAsync("/scalar/");

        Assert.Equal(200, development.Status);
        Assert.Contains("<title>OtpEmail.Admin API</title>", development.Body);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, refused.StatusCode);
    }

    private async Task<JsonNode> DocumentAsync()
    {
        var reply = await fixture.Api.GetAsync("/openapi/v1.json", as_: null); // anonymous, like any tool that reads it
        Assert.Equal(200, reply.Status);
        return reply.Json;
    }
}
