using Bunit;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Users;

public sealed class UserPickerTests : MudTestContext
{
    private static readonly UserSummary Ada = new("100000000000000001", "Ada Lovelace", "ada", "ada@acme.test", "Acme");
    private static readonly UserSummary Alan = new("100000000000000002", "Alan Turing", "alan", "alan@globex.test", "Globex");

    private readonly List<string> _searched = [];

    [Fact]
    public void TypingSearchesOnTheServerAndShowsNameUsernameAddressAndOrganization()
    {
        var picker = RenderPicker(_ => [Ada, Alan]);

        picker.Find("input").Input("a");

        Popovers.WaitForAssertion(() =>
        {
            Assert.Contains("Ada Lovelace", Popovers.Markup);
            Assert.Contains("ada@acme.test · Acme", Popovers.Markup);
            Assert.Contains("alan@globex.test · Globex", Popovers.Markup);
        }, TimeSpan.FromSeconds(5));
        Assert.Equal(["a"], _searched);
    }

    [Fact]
    public void ChoosingAUserReportsIt()
    {
        UserSummary? chosen = null;
        var picker = RenderPicker(_ => [Ada, Alan], user => chosen = user);
        picker.Find("input").Input("tur");
        Popovers.WaitForAssertion(() => Assert.Contains("Alan Turing", Popovers.Markup), TimeSpan.FromSeconds(5));

        Popovers.FindAll(".mud-list-item").Single(item => item.TextContent.Contains("Alan Turing")).Click();

        picker.WaitForAssertion(() => Assert.Equal(Alan, chosen));
    }

    [Fact]
    public void NoMatchSaysSo()
    {
        var picker = RenderPicker(_ => []);

        picker.Find("input").Input("zzz");

        Popovers.WaitForAssertion(() => Assert.Contains("No user matches.", Popovers.Markup), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void AFailedSearchShowsTheServicesMessage()
    {
        var picker = Context.Render<UserPicker>(parameters => parameters
            .Add(p => p.Search, (_, _) => Task.FromResult<Result<IReadOnlyList<UserSummary>>>(
                AppError.Denied("AUTHZ-PERMISSION", "The caller lacks the permission user.read"))));

        picker.Find("input").Input("ada");

        picker.WaitForAssertion(() => Assert.Contains("The caller lacks the permission user.read", picker.Find("[role=alert]").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task EmptyTextDoesNotSearch()
    {
        var picker = RenderPicker(_ => [Ada]);

        picker.Find("input").Input("   ");

        // Nothing to wait for when nothing may happen: wait out the debounce (250 ms) three times over.
        await Task.Delay(TimeSpan.FromMilliseconds(3 * 250));
        Assert.Empty(_searched);
        Assert.DoesNotContain("Ada Lovelace", Popovers.Markup);
    }

    private IRenderedComponent<UserPicker> RenderPicker(Func<string, IReadOnlyList<UserSummary>> results, Action<UserSummary>? selected = null) =>
        Context.Render<UserPicker>(parameters => parameters
            .Add(p => p.Search, (text, _) =>
            {
                _searched.Add(text);
                return Task.FromResult<Result<IReadOnlyList<UserSummary>>>(results(text).ToList());
            })
            .Add(p => p.OnSelected, user => selected?.Invoke(user)));
}
