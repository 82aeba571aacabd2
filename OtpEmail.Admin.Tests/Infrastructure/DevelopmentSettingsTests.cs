using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using OtpEmail.Admin.Infrastructure;

namespace OtpEmail.Admin.Tests.Infrastructure;

/// <summary>The development settings are one file at the repository root, read without a symbolic link.</summary>
public sealed class DevelopmentSettingsTests
{
    [Fact]
    public void AContentRootWithoutTheFileStillGetsTheRootSettings()
    {
        var root = RepositoryRoot();
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "appsettings.Development.json")))!;
        var checkout = Directory.CreateTempSubdirectory("otpemail-checkout-"); // what a checkout without links gives: no file here
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = checkout.FullName });
            var before = builder.Configuration["Mail:Mode"];

            builder.UseRootDevelopmentSettings();

            Assert.Null(before);
            Assert.Equal(expected["Mail"]!["Mode"]!.GetValue<string>(), builder.Configuration["Mail:Mode"]);
            Assert.Equal(expected["ConnectionStrings"]!["Default"]!.GetValue<string>(), builder.Configuration["ConnectionStrings:Default"]);
        }
        finally
        {
            checkout.Delete(recursive: true);
        }
    }

    [Fact]
    public void TheProjectHoldsNoLinkToTheFile()
    {
        var inProject = new FileInfo(Path.Combine(RepositoryRoot(), "OtpEmail.Admin", "appsettings.Development.json"));

        Assert.False(inProject.Exists || inProject.LinkTarget is not null, "OtpEmail.Admin/appsettings.Development.json should not exist: the root file is the one");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OtpEmail.Admin.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (OtpEmail.Admin.sln) is not above the test binaries");
    }
}
