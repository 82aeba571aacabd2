using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Tests.Architecture;

/// <summary>
/// The shape the code keeps: dependencies that point one way, namespaces that match folders, and
/// files short enough to read top to bottom.
/// </summary>
public sealed partial class ShapeTests
{
    private const string Root = "OtpEmail.Admin";

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Assembly App = typeof(AppDbContext).Assembly;

    // Migrations are the schema of every feature's tables: they may name what a feature's queries need indexed.
    private const string Migrations = $"{Root}.Infrastructure.Data.Migrations";

    // Who may not use whom: the layer on the left uses nothing in the layers on the right.
    public static TheoryData<string, string[]> Forbidden => new()
    {
        { $"{Root}.Common", [$"{Root}.Features", $"{Root}.Infrastructure", $"{Root}.Grpc", $"{Root}.Components"] },
        { $"{Root}.Infrastructure", [$"{Root}.Features", $"{Root}.Grpc", $"{Root}.Components"] },
        { $"{Root}.Features.Users", [$"{Root}.Features.Events", $"{Root}.Features.OtpEmail", $"{Root}.Features.MailTexts", $"{Root}.Features.Audit", $"{Root}.Features.Bulk", $"{Root}.Features.Overview", $"{Root}.Grpc", $"{Root}.Components.Pages"] },
        { $"{Root}.Features.MailTexts", [$"{Root}.Features.Events", $"{Root}.Features.OtpEmail", $"{Root}.Features.Audit", $"{Root}.Features.Bulk", $"{Root}.Features.Overview", $"{Root}.Grpc", $"{Root}.Components.Pages"] },
        { $"{Root}.Features.Audit", [$"{Root}.Features.Events", $"{Root}.Features.OtpEmail", $"{Root}.Features.MailTexts", $"{Root}.Features.Bulk", $"{Root}.Features.Overview", $"{Root}.Grpc", $"{Root}.Components.Pages"] },
        { $"{Root}.Features.OtpEmail", [$"{Root}.Features.Events", $"{Root}.Features.Audit", $"{Root}.Features.Bulk", $"{Root}.Features.Overview", $"{Root}.Grpc", $"{Root}.Components.Pages"] },
        { $"{Root}.Features.Bulk", [$"{Root}.Features.Events", $"{Root}.Features.Overview", $"{Root}.Grpc", $"{Root}.Components.Pages"] },
        { $"{Root}.Features.Overview", [$"{Root}.Features.Events", $"{Root}.Grpc", $"{Root}.Components.Pages"] },
        { $"{Root}.Features.Events", [$"{Root}.Features.Audit", $"{Root}.Features.MailTexts", $"{Root}.Features.Overview", $"{Root}.Grpc", $"{Root}.Components.Pages"] },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void DependenciesPointOneWay(string layer, string[] forbidden)
    {
        var result = Types.InAssembly(App).That().ResideInNamespace(layer).And().DoNotResideInNamespace(Migrations)
            .ShouldNot().HaveDependencyOnAny(forbidden)
            .GetResult();
        var inAttributes =
            from type in App.GetTypes()
            where InNamespace(type, layer) && !InNamespace(type, Migrations)
            from used in NamedInAttributes(type)
            where forbidden.Any(other => InNamespace(used, other))
            select $"{type.FullName} names {used.FullName} in an attribute";

        Assert.Empty((result.FailingTypeNames ?? []).Concat(inAttributes.Distinct()));
    }

    [Fact]
    public void NamespacesMatchFolders()
    {
        var project = Path.Combine(RepositoryRoot(), Root);
        var offences =
            from file in SourceFiles(project, "*.cs")
            let declared = NamespaceDeclaration().Match(File.ReadAllText(file))
            where declared.Success
            let expected = string.Join('.', new[] { Root }.Concat(Path.GetRelativePath(project, Path.GetDirectoryName(file)!).Split(Path.DirectorySeparatorChar).Where(p => p != ".")))
            where declared.Groups[1].Value != expected
            select $"{Path.GetRelativePath(project, file)} declares {declared.Groups[1].Value}, its folder says {expected}";

        Assert.Empty(offences);
    }

    [Fact]
    public void NoSourceFileIsLongerThan300Lines()
    {
        var project = Path.Combine(RepositoryRoot(), Root);
        var offences =
            from file in SourceFiles(project, "*.cs").Concat(SourceFiles(project, "*.razor"))
            where !file.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            let lines = File.ReadAllLines(file).Length
            where lines > 300
            select $"{Path.GetRelativePath(project, file)} has {lines} lines";

        Assert.Empty(offences);
    }

    // NetArchTest sees an attribute's own type, not the types its arguments name: [ProducesResponseType(typeof(X))].
    private static IEnumerable<Type> NamedInAttributes(Type type) =>
        from attribute in type.CustomAttributes
            .Concat(type.GetMembers(Everything).SelectMany(member => member.CustomAttributes))
            .Concat(type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)).SelectMany(method => method.GetParameters()).SelectMany(parameter => parameter.CustomAttributes))
        from argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(named => named.TypedValue))
        where argument.Value is Type
        select (Type)argument.Value!;

    private static bool InNamespace(Type type, string name) =>
        type.Namespace is { } ns && (ns == name || ns.StartsWith(name + ".", StringComparison.Ordinal));

    private static IEnumerable<string> SourceFiles(string project, string pattern) =>
        Directory.EnumerateFiles(project, pattern, SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(project, file).Split(Path.DirectorySeparatorChar)[0].Equals("bin", StringComparison.Ordinal)
                && !Path.GetRelativePath(project, file).Split(Path.DirectorySeparatorChar)[0].Equals("obj", StringComparison.Ordinal));

    /// <summary>The checkout the tests were built from: the folder with the solution file.</summary>
    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OtpEmail.Admin.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository.");
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
