using Portal.Core.Notifications.Liquid;

namespace Portal.Tests.Core.Notifications;

public sealed class LiquidTemplateTests
{
    private static string Render(string text, Dictionary<string, object?> model, LiquidOutput output = LiquidOutput.Html)
    {
        var template = LiquidTemplate.TryParse(text, out var error);
        error.ShouldBeNull();
        return template!.Render(model, output);
    }

    private static LiquidError ParseError(string text)
    {
        LiquidTemplate.TryParse(text, out var error).ShouldBeNull();
        return error!;
    }

    [Fact]
    public void EncodesEveryValueWrittenToHtmlButNotTheTemplatesOwnMarkup()
    {
        var html = Render("<b>{{ repo }}</b>", new() { ["repo"] = "<script>alert('x')</script>&co" });

        html.ShouldBe("<b>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;co</b>");
    }

    [Fact]
    public void WritesValuesAsTheyAreInText()
    {
        Render("{{ repo }}", new() { ["repo"] = "<a & b>" }, LiquidOutput.Text).ShouldBe("<a & b>");
    }

    [Fact]
    public void LoopsConditionsFiltersAndTrimWork()
    {
        var model = new Dictionary<string, object?>
        {
            ["items"] = new List<object?>
            {
                new Dictionary<string, object?> { ["name"] = "one", ["fix"] = null },
                new Dictionary<string, object?> { ["name"] = "two", ["fix"] = "2.0" },
                new Dictionary<string, object?> { ["name"] = "three", ["fix"] = "3.0" },
            },
        };

        var text = Render(
            "{{ items.size }}:{% for i in items limit: 2 %}[{{ forloop.index }} {{ i.name | upcase }} {{ i.fix | default: 'none' }}{% if forloop.last %}!{% endif %}]{% endfor %}"
            + "{% if items.size > 2 and items.first.name == 'one' %} big{% elsif items.size == 0 %} none{% else %} small{% endif %}"
            + "{% unless items == empty %} some{% endunless %}\n  {%- assign n = items.size | plus: 1 -%}\n  {{ n }}",
            model, LiquidOutput.Text);

        text.ShouldBe("3:[1 ONE none][2 TWO 2.0!] big some4");
    }

    [Fact]
    public void ReportsAnUnclosedTagWithTheLineAndPositionWhereItOpened()
    {
        var error = ParseError("Hello\n  {% if owner %}yes");

        error.ShouldBe(new LiquidError("'{% if %}' is not closed with '{% endif %}'", 2, 3));
    }

    [Fact]
    public void ReportsAnUnknownFilterAtTheFilter()
    {
        var error = ParseError("line one\nline two {{ owner | shout }}");

        error.Message.ShouldBe("Unknown filter 'shout'");
        (error.Line, error.Position).ShouldBe((2, 21));
    }

    [Fact]
    public void ReportsAnUnclosedOutputAndAStrayEndTag()
    {
        ParseError("{{ owner").ShouldBe(new LiquidError("'{{' is not closed with '}}'", 1, 1));
        ParseError("a {% endfor %}").ShouldBe(new LiquidError("Unexpected '{% endfor %}' without an opening tag", 1, 3));
        ParseError("{% include 'x' %}").Message.ShouldBe("Unknown tag 'include'");
    }

    [Fact]
    public void ANameTheModelDoesNotHaveIsARenderErrorWithItsPosition()
    {
        var template = LiquidTemplate.TryParse("ok\n {{ workload.secret }}", out _)!;

        var error = Should.Throw<LiquidException>(() => template.Render(
            new Dictionary<string, object?> { ["workload"] = new Dictionary<string, object?> { ["name"] = "x" } }, LiquidOutput.Text)).Error;

        error.ShouldBe(new LiquidError("'workload' has no 'secret'", 2, 5));
    }

    [Fact]
    public void ObjectsThatAreNotPartOfTheModelExposeNothing()
    {
        // Only dictionaries are walked: a CLR object slipped into the model shows none of its members.
        var template = LiquidTemplate.TryParse("{{ thing.GetType }}", out _)!;

        Should.Throw<LiquidException>(() => template.Render(new Dictionary<string, object?> { ["thing"] = new Uri("http://x") }, LiquidOutput.Text))
            .Error.Message.ShouldBe("'thing' has no 'GetType'");
    }

    [Fact]
    public void ARunawayTemplateIsStoppedByTheStepLimit()
    {
        var items = Enumerable.Range(0, 400).Select(i => (object?)(long)i).ToList();
        var template = LiquidTemplate.TryParse("{% for a in items %}{% for b in items %}{% for c in items %}x{% endfor %}{% endfor %}{% endfor %}", out _)!;

        Should.Throw<LiquidException>(() => template.Render(new Dictionary<string, object?> { ["items"] = items }, LiquidOutput.Text))
            .Error.Message.ShouldStartWith("The template takes more than 100,000 steps");
    }
}
