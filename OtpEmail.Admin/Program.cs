using OtpEmail.Admin.Components;
using OtpEmail.Admin.Features.Audit;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Features.Events;
using OtpEmail.Admin.Features.MailTexts;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Overview;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Grpc;
using OtpEmail.Admin.Infrastructure;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Grpc;
using OtpEmail.Admin.Infrastructure.Health;
using OtpEmail.Admin.Infrastructure.Http;
using OtpEmail.Admin.Infrastructure.Idempotency;
using OtpEmail.Admin.Infrastructure.Json;
using OtpEmail.Admin.Infrastructure.Network;
using OtpEmail.Admin.Infrastructure.OpenApi;
using OtpEmail.Admin.Infrastructure.Telemetry;

var builder = WebApplication.CreateBuilder(args);
builder.UseRootDevelopmentSettings();

// Request URLs can carry a verification code (the emailed link): never log them, whatever the level.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

builder.AddTelemetry();
builder.AddForwardedHeaders();
builder.AddHttpHardening();
builder.AddKeys();
builder.AddData();
builder.AddMail();
builder.AddOutboundHttp();
builder.AddAuth();
builder.AddJsonApi();
builder.AddGrpcApi();
builder.AddIdempotency();
builder.AddApiDocument();
builder.AddHealth();
builder.AddUsers();
builder.AddMailTexts();
builder.AddOtpEmail();
builder.AddBulk();
builder.AddAudit();
builder.AddEvents();
builder.AddOverview();
builder.AddStaffUi();

var app = builder.Build();

await app.Services.MigrateDatabaseAsync();
await app.Services.InitializeDevelopmentProviderAsync();
await app.SeedDemoDataAsync();

app.UseForwardedHeadersFromProxies();
app.UseHttpHardening();
app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseApiStatusCodes();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealth();
app.MapControllers();
app.MapApiDocument();
app.UseGrpcApi<UserGrpcService>();
app.MapDevelopmentProvider();
app.MapAccountEndpoints();
app.MapBulkResultFile();
app.MapOverviewExport();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
