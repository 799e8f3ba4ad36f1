using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Portal.Core.Notifications.Liquid;

/// <summary>Where a template went wrong: the message, and the line and position (both from 1) in the template text.</summary>
public sealed record LiquidError(string Message, int Line, int Position)
{
    public override string ToString() => $"{Message} (line {Line}, position {Position})";
}

public sealed class LiquidException(LiquidError error) : Exception(error.ToString())
{
    public LiquidError Error { get; } = error;
}

/// <summary>How values are written out: HTML-encoded for an email's HTML body, as they are for subjects and plain text.</summary>
public enum LiquidOutput
{
    Html,
    Text,
}

/// <summary>
/// A strict subset of Liquid for notification templates that admins edit: <c>{{ value | filter: arg }}</c>,
/// <c>if/elsif/else</c>, <c>unless</c>, <c>for ... in ... (limit:n)</c> with <c>forloop</c>, <c>assign</c>, <c>comment</c>,
/// and the <c>-</c> whitespace trim. The model is plain dictionaries, lists and scalars built by the portal, so a template
/// reaches nothing beyond what the portal chose to expose; a name the model does not have is an error (a typo shows in the
/// preview rather than as a blank in someone's inbox). Every value written to HTML is encoded, and a render stops after
/// <see cref="MaxSteps"/> steps or <see cref="MaxOutputChars"/> characters.
/// Written here because the package feed cannot give us Fluid: it holds Fluid.Core 2.41.1 but only Parlot 2.2.1, not the
/// Parlot 1.5.x it is built against (it fails at run time with MissingMethodException), and DotLiquid reports errors
/// without a line or position, which the template editor needs. Should a matching Parlot arrive, only the renderer changes.
/// </summary>
public sealed class LiquidTemplate
{
    public const int MaxSteps = 100_000;
    public const int MaxOutputChars = 2_000_000;

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly HashSet<string> Filters =
    [
        "default", "upcase", "downcase", "capitalize", "size", "join", "append", "prepend", "truncate", "plus", "minus", "strip",
        "escape", "first", "last", "replace",
    ];

    private readonly List<Node> _nodes;
    private readonly Source _source;

    private LiquidTemplate(List<Node> nodes, Source source)
    {
        _nodes = nodes;
        _source = source;
    }

    /// <summary>Parses <paramref name="text"/>; returns null and the first error when it is not a valid template.</summary>
    public static LiquidTemplate? TryParse(string text, out LiquidError? error)
    {
        var source = new Source(text ?? string.Empty);
        try
        {
            var parser = new Parser(source, Tokenize(source));
            var nodes = parser.ParseBlock(out var end);
            if (end is not null)
            {
                throw source.Error($"Unexpected '{{% {end.Name} %}}' without an opening tag", end.Offset);
            }

            error = null;
            return new LiquidTemplate(nodes, source);
        }
        catch (LiquidException ex)
        {
            error = ex.Error;
            return null;
        }
    }

    /// <summary>Renders against <paramref name="model"/> (names to values); throws <see cref="LiquidException"/> on a render error.</summary>
    public string Render(IReadOnlyDictionary<string, object?> model, LiquidOutput output)
    {
        var scope = new Dictionary<string, object?>(model, StringComparer.Ordinal);
        var renderer = new Renderer(_source, scope, output);
        renderer.Run(_nodes);
        return renderer.Output.ToString();
    }

    // ---- tokens ----

    private enum TokenKind
    {
        Text,
        Output,
        Tag,
    }

    private sealed record Token(TokenKind Kind, string Content, int Offset, int ContentOffset, bool TrimBefore, bool TrimAfter);

    private static List<Token> Tokenize(Source source)
    {
        var text = source.Text;
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var open = IndexOfOpen(text, i);
            if (open < 0)
            {
                tokens.Add(new Token(TokenKind.Text, text[i..], i, i, false, false));
                break;
            }

            if (open > i)
            {
                tokens.Add(new Token(TokenKind.Text, text[i..open], i, i, false, false));
            }

            var isOutput = text[open + 1] == '{';
            var close = isOutput ? "}}" : "%}";
            var contentStart = open + 2;
            var trimBefore = contentStart < text.Length && text[contentStart] == '-';
            if (trimBefore)
            {
                contentStart++;
            }

            var end = text.IndexOf(close, contentStart, StringComparison.Ordinal);
            if (end < 0)
            {
                throw source.Error(isOutput ? "'{{' is not closed with '}}'" : "'{%' is not closed with '%}'", open);
            }

            var contentEnd = end;
            var trimAfter = contentEnd > contentStart && text[contentEnd - 1] == '-';
            if (trimAfter)
            {
                contentEnd--;
            }

            tokens.Add(new Token(isOutput ? TokenKind.Output : TokenKind.Tag, text[contentStart..contentEnd], open, contentStart, trimBefore, trimAfter));
            i = end + 2;
        }

        // "{{-" and "-}}" eat the whitespace next to them, so text templates can be laid out readably.
        for (var t = 0; t < tokens.Count; t++)
        {
            if (tokens[t].Kind != TokenKind.Text)
            {
                continue;
            }

            var content = tokens[t].Content;
            if (t > 0 && tokens[t - 1].TrimAfter)
            {
                content = content.TrimStart();
            }

            if (t + 1 < tokens.Count && tokens[t + 1].TrimBefore)
            {
                content = content.TrimEnd();
            }

            tokens[t] = tokens[t] with { Content = content };
        }

        return tokens;
    }

    private static int IndexOfOpen(string text, int from)
    {
        for (var i = from; i < text.Length - 1; i++)
        {
            if (text[i] == '{' && text[i + 1] is '{' or '%')
            {
                return i;
            }
        }

        return -1;
    }

    // ---- syntax tree ----

    private abstract record Node(int Offset);

    private sealed record TextNode(string Text, int Offset) : Node(Offset);

    private sealed record OutputNode(Expr Value, int Offset) : Node(Offset);

    private sealed record IfNode(List<(Cond? When, List<Node> Body)> Branches, bool Negate, int Offset) : Node(Offset);

    private sealed record ForNode(string Variable, Expr Items, int? Limit, List<Node> Body, List<Node>? Else, int Offset) : Node(Offset);

    private sealed record AssignNode(string Name, Expr Value, int Offset) : Node(Offset);

    private sealed record FilterCall(string Name, List<Expr> Args, int Offset);

    private abstract record Expr(int Offset);

    private sealed record Literal(object? Value, int Offset) : Expr(Offset);

    private sealed record PathExpr(List<string> Parts, int Offset) : Expr(Offset)
    {
        public string Display => string.Join('.', Parts);
    }

    private sealed record Filtered(Expr Value, List<FilterCall> Filters, int Offset) : Expr(Offset);

    private abstract record Cond(int Offset);

    private sealed record Compare(Expr Left, string? Op, Expr? Right, int Offset) : Cond(Offset);

    private sealed record Logical(Cond Left, bool And, Cond Right, int Offset) : Cond(Offset);

    private sealed record EndTag(string Name, string Rest, int Offset, int RestOffset);

    // ---- parser ----

    private sealed class Parser(Source source, List<Token> tokens)
    {
        private int _index;

        /// <summary>Parses nodes until a tag that closes or splits a block (endif, else, ...), which it returns.</summary>
        public List<Node> ParseBlock(out EndTag? end)
        {
            var nodes = new List<Node>();
            while (_index < tokens.Count)
            {
                var token = tokens[_index++];
                switch (token.Kind)
                {
                    case TokenKind.Text:
                        if (token.Content.Length > 0)
                        {
                            nodes.Add(new TextNode(token.Content, token.Offset));
                        }

                        break;
                    case TokenKind.Output:
                        var lexer = new Lexer(source, token.Content, token.ContentOffset);
                        if (lexer.AtEnd)
                        {
                            throw source.Error("Empty '{{ }}': name a value to write", token.Offset);
                        }

                        nodes.Add(new OutputNode(ParseFiltered(lexer), token.Offset));
                        lexer.ExpectEnd();
                        break;
                    default:
                        var (name, rest, restOffset) = SplitTag(token);
                        switch (name)
                        {
                            case "if" or "unless":
                                nodes.Add(ParseIf(name, rest, restOffset, token.Offset));
                                break;
                            case "for":
                                nodes.Add(ParseFor(rest, restOffset, token.Offset));
                                break;
                            case "assign":
                                nodes.Add(ParseAssign(rest, restOffset, token.Offset));
                                break;
                            case "comment":
                                SkipComment(token.Offset);
                                break;
                            case "endif" or "endunless" or "endfor" or "else" or "elsif" or "endcomment":
                                end = new EndTag(name, rest, token.Offset, restOffset);
                                return nodes;
                            default:
                                throw source.Error(name.Length == 0 ? "Empty '{% %}': name a tag" : $"Unknown tag '{name}'", token.Offset);
                        }

                        break;
                }
            }

            end = null;
            return nodes;
        }

        private static (string Name, string Remainder, int RemainderOffset) SplitTag(Token token)
        {
            var content = token.Content;
            var start = 0;
            while (start < content.Length && char.IsWhiteSpace(content[start]))
            {
                start++;
            }

            var stop = start;
            while (stop < content.Length && !char.IsWhiteSpace(content[stop]))
            {
                stop++;
            }

            return (content[start..stop], content[stop..], token.ContentOffset + stop);
        }

        private IfNode ParseIf(string name, string rest, int restOffset, int offset)
        {
            var branches = new List<(Cond?, List<Node>)>();
            var condition = ParseCondition(rest, restOffset);
            var closing = name == "if" ? "endif" : "endunless";
            while (true)
            {
                var body = ParseBlock(out var end);
                branches.Add((condition, body));
                if (end is null)
                {
                    throw source.Error($"'{{% {name} %}}' is not closed with '{{% {closing} %}}'", offset);
                }

                if (end.Name == closing)
                {
                    return new IfNode(branches, name == "unless", offset);
                }

                if (end.Name == "elsif" && name == "if" && branches[^1].Item1 is not null)
                {
                    condition = ParseCondition(end.Rest, end.RestOffset);
                }
                else if (end.Name == "else" && branches[^1].Item1 is not null)
                {
                    condition = null;
                }
                else
                {
                    throw source.Error($"Unexpected '{{% {end.Name} %}}' inside '{{% {name} %}}'", end.Offset);
                }
            }
        }

        private ForNode ParseFor(string rest, int restOffset, int offset)
        {
            var lexer = new Lexer(source, rest, restOffset);
            var variable = lexer.ExpectIdentifier("a loop variable after 'for'");
            var inWord = lexer.ExpectIdentifier("'in'");
            if (inWord != "in")
            {
                throw source.Error($"Expected 'in' after 'for {variable}'", lexer.LastOffset);
            }

            var items = ParsePrimary(lexer);
            int? limit = null;
            while (!lexer.AtEnd)
            {
                var option = lexer.ExpectIdentifier("a loop option such as 'limit: 5'");
                if (option != "limit")
                {
                    throw source.Error($"Unknown loop option '{option}' (only 'limit' is supported)", lexer.LastOffset);
                }

                lexer.Expect(":");
                if (ParsePrimary(lexer) is not Literal { Value: long n } || n < 0)
                {
                    throw source.Error("'limit' takes a whole number", lexer.LastOffset);
                }

                limit = (int)Math.Min(n, int.MaxValue);
            }

            var body = ParseBlock(out var end);
            List<Node>? elseBody = null;
            if (end?.Name == "else")
            {
                elseBody = ParseBlock(out end);
            }

            if (end is null)
            {
                throw source.Error("'{% for %}' is not closed with '{% endfor %}'", offset);
            }

            if (end.Name != "endfor")
            {
                throw source.Error($"Unexpected '{{% {end.Name} %}}' inside '{{% for %}}'", end.Offset);
            }

            return new ForNode(variable, items, limit, body, elseBody, offset);
        }

        private AssignNode ParseAssign(string rest, int restOffset, int offset)
        {
            var lexer = new Lexer(source, rest, restOffset);
            var name = lexer.ExpectIdentifier("a name after 'assign'");
            lexer.Expect("=");
            var value = ParseFiltered(lexer);
            lexer.ExpectEnd();
            return new AssignNode(name, value, offset);
        }

        private void SkipComment(int offset)
        {
            while (_index < tokens.Count)
            {
                var token = tokens[_index++];
                if (token.Kind == TokenKind.Tag && SplitTag(token).Name == "endcomment")
                {
                    return;
                }
            }

            throw source.Error("'{% comment %}' is not closed with '{% endcomment %}'", offset);
        }

        private Cond ParseCondition(string rest, int restOffset)
        {
            var lexer = new Lexer(source, rest, restOffset);
            if (lexer.AtEnd)
            {
                throw source.Error("A condition is missing", restOffset);
            }

            var condition = ParseOr(lexer);
            lexer.ExpectEnd();
            return condition;
        }

        // Liquid reads "a or b and c" right to left; this keeps the usual precedence instead, which no simple template notices.
        private static Cond ParseOr(Lexer lexer)
        {
            var left = ParseAnd(lexer);
            while (lexer.TryWord("or"))
            {
                left = new Logical(left, false, ParseAnd(lexer), left.Offset);
            }

            return left;
        }

        private static Cond ParseAnd(Lexer lexer)
        {
            Cond left = ParseComparison(lexer);
            while (lexer.TryWord("and"))
            {
                left = new Logical(left, true, ParseComparison(lexer), left.Offset);
            }

            return left;
        }

        private static Compare ParseComparison(Lexer lexer)
        {
            var left = ParsePrimary(lexer);
            if (lexer.TryOperator(out var op))
            {
                return new Compare(left, op, ParsePrimary(lexer), left.Offset);
            }

            return new Compare(left, null, null, left.Offset);
        }

        private Expr ParseFiltered(Lexer lexer)
        {
            var value = ParsePrimary(lexer);
            var filters = new List<FilterCall>();
            while (lexer.TrySymbol("|"))
            {
                var at = lexer.Offset;
                var name = lexer.ExpectIdentifier("a filter name after '|'");
                if (!Filters.Contains(name))
                {
                    throw source.Error($"Unknown filter '{name}'", at);
                }

                var args = new List<Expr>();
                if (lexer.TrySymbol(":"))
                {
                    do
                    {
                        args.Add(ParsePrimary(lexer));
                    }
                    while (lexer.TrySymbol(","));
                }

                filters.Add(new FilterCall(name, args, at));
            }

            return filters.Count == 0 ? value : new Filtered(value, filters, value.Offset);
        }

        private static Expr ParsePrimary(Lexer lexer)
        {
            var at = lexer.Offset;
            if (lexer.TryString(out var text))
            {
                return new Literal(text, at);
            }

            if (lexer.TryNumber(out var number))
            {
                return new Literal(number, at);
            }

            var first = lexer.ExpectIdentifier("a value");
            switch (first)
            {
                case "true":
                    return new Literal(true, at);
                case "false":
                    return new Literal(false, at);
                case "nil" or "null":
                    return new Literal(null, at);
                case "empty":
                    return new Literal(Empty.Value, at);
            }

            var parts = new List<string> { first };
            while (lexer.TrySymbol("."))
            {
                parts.Add(lexer.ExpectIdentifier("a name after '.'"));
            }

            return new PathExpr(parts, at);
        }
    }

    private sealed class Empty
    {
        public static readonly Empty Value = new();
    }

    private sealed class Lexer(Source source, string text, int baseOffset)
    {
        private int _i;

        public int LastOffset { get; private set; }

        public int Offset
        {
            get
            {
                SkipSpace();
                return baseOffset + _i;
            }
        }

        public bool AtEnd
        {
            get
            {
                SkipSpace();
                return _i >= text.Length;
            }
        }

        public void ExpectEnd()
        {
            if (!AtEnd)
            {
                throw source.Error($"Unexpected '{Snippet()}'", Offset);
            }
        }

        public string ExpectIdentifier(string what)
        {
            SkipSpace();
            var start = _i;
            if (_i < text.Length && (char.IsLetter(text[_i]) || text[_i] == '_'))
            {
                while (_i < text.Length && (char.IsLetterOrDigit(text[_i]) || text[_i] == '_'))
                {
                    _i++;
                }

                LastOffset = baseOffset + start;
                return text[start.._i];
            }

            throw source.Error(_i >= text.Length ? $"Expected {what}" : $"Expected {what}, found '{Snippet()}'", baseOffset + _i);
        }

        public void Expect(string symbol)
        {
            if (!TrySymbol(symbol))
            {
                throw source.Error(AtEnd ? $"Expected '{symbol}'" : $"Expected '{symbol}', found '{Snippet()}'", Offset);
            }
        }

        public bool TrySymbol(string symbol)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _i, symbol, 0, symbol.Length) == 0
                && !(symbol == "=" && _i + 1 < text.Length && text[_i + 1] == '='))
            {
                LastOffset = baseOffset + _i;
                _i += symbol.Length;
                return true;
            }

            return false;
        }

        public bool TryWord(string word)
        {
            SkipSpace();
            var end = _i + word.Length;
            if (string.CompareOrdinal(text, _i, word, 0, word.Length) == 0 && (end >= text.Length || !char.IsLetterOrDigit(text[end])))
            {
                _i = end;
                return true;
            }

            return false;
        }

        public bool TryOperator(out string op)
        {
            foreach (var candidate in new[] { "==", "!=", "<>", "<=", ">=", "<", ">" })
            {
                if (TrySymbol(candidate))
                {
                    op = candidate == "<>" ? "!=" : candidate;
                    return true;
                }
            }

            if (TryWord("contains"))
            {
                op = "contains";
                return true;
            }

            op = string.Empty;
            return false;
        }

        public bool TryString(out string value)
        {
            SkipSpace();
            value = string.Empty;
            if (_i >= text.Length || text[_i] is not ('"' or '\''))
            {
                return false;
            }

            var quote = text[_i];
            var end = text.IndexOf(quote, _i + 1);
            if (end < 0)
            {
                throw source.Error("A string is not closed", baseOffset + _i);
            }

            value = text[(_i + 1)..end];
            LastOffset = baseOffset + _i;
            _i = end + 1;
            return true;
        }

        public bool TryNumber(out long value)
        {
            SkipSpace();
            value = 0;
            var start = _i;
            if (_i < text.Length && text[_i] == '-' && _i + 1 < text.Length && char.IsDigit(text[_i + 1]))
            {
                _i++;
            }

            while (_i < text.Length && char.IsDigit(text[_i]))
            {
                _i++;
            }

            if (_i == start || (_i == start + 1 && text[start] == '-'))
            {
                _i = start;
                return false;
            }

            LastOffset = baseOffset + start;
            if (!long.TryParse(text.AsSpan(start, _i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            {
                throw source.Error("The number is too large", baseOffset + start);
            }

            return true;
        }

        private void SkipSpace()
        {
            while (_i < text.Length && char.IsWhiteSpace(text[_i]))
            {
                _i++;
            }
        }

        private string Snippet()
        {
            var rest = text[_i..].TrimEnd();
            return rest.Length > 20 ? rest[..20] + "…" : rest;
        }
    }

    // ---- rendering ----

    private sealed class Renderer(Source source, Dictionary<string, object?> scope, LiquidOutput output)
    {
        private int _steps;

        public StringBuilder Output { get; } = new();

        public void Run(List<Node> nodes)
        {
            foreach (var node in nodes)
            {
                Step(node.Offset);
                switch (node)
                {
                    case TextNode text:
                        Write(text.Text, text.Offset);
                        break;
                    case OutputNode value:
                        var rendered = Stringify(Evaluate(value.Value));
                        Write(output == LiquidOutput.Html ? Encoder.Encode(rendered) : rendered, value.Offset);
                        break;
                    case AssignNode assign:
                        scope[assign.Name] = Evaluate(assign.Value);
                        break;
                    case IfNode branch:
                        RunIf(branch);
                        break;
                    case ForNode loop:
                        RunFor(loop);
                        break;
                }
            }
        }

        private void RunIf(IfNode node)
        {
            foreach (var (when, body) in node.Branches)
            {
                if (when is null || Test(when) != node.Negate)
                {
                    Run(body);
                    return;
                }
            }
        }

        private void RunFor(ForNode node)
        {
            var value = Evaluate(node.Items);
            if (value is not null and not IReadOnlyList<object?>)
            {
                throw source.Error($"'{Describe(node.Items)}' is not a list, so it cannot be looped over", node.Items.Offset);
            }

            var items = (IReadOnlyList<object?>?)value ?? [];
            var count = node.Limit is { } limit ? Math.Min(limit, items.Count) : items.Count;
            if (count == 0)
            {
                if (node.Else is not null)
                {
                    Run(node.Else);
                }

                return;
            }

            scope.TryGetValue(node.Variable, out var shadowed);
            scope.TryGetValue("forloop", out var outer);
            for (var i = 0; i < count; i++)
            {
                scope[node.Variable] = items[i];
                scope["forloop"] = new Dictionary<string, object?>
                {
                    ["index"] = (long)(i + 1), ["index0"] = (long)i, ["first"] = i == 0, ["last"] = i == count - 1, ["length"] = (long)count,
                };
                Run(node.Body);
            }

            scope[node.Variable] = shadowed;
            scope["forloop"] = outer;
        }

        private bool Test(Cond condition) => condition switch
        {
            Logical { And: true } l => Test(l.Left) && Test(l.Right),
            Logical l => Test(l.Left) || Test(l.Right),
            Compare { Op: null } c => Truthy(Evaluate(c.Left)),
            Compare c => CompareValues(Evaluate(c.Left), c.Op!, Evaluate(c.Right!), c.Offset),
            _ => false,
        };

        private bool CompareValues(object? left, string op, object? right, int offset)
        {
            if (left is Empty || right is Empty)
            {
                var other = left is Empty ? right : left;
                var isEmpty = other is null || other is string { Length: 0 } || other is IReadOnlyList<object?> { Count: 0 };
                return op switch
                {
                    "==" => isEmpty,
                    "!=" => !isEmpty,
                    _ => throw source.Error($"'empty' can only be compared with == or !=", offset),
                };
            }

            switch (op)
            {
                case "==":
                    return Equals(left, right);
                case "!=":
                    return !Equals(left, right);
                case "contains":
                    return left switch
                    {
                        string s => right is not null && s.Contains(Stringify(right), StringComparison.Ordinal),
                        IReadOnlyList<object?> list => list.Any(item => Equals(item, right)),
                        _ => false,
                    };
            }

            int order;
            if (left is long a && right is long b)
            {
                order = a.CompareTo(b);
            }
            else if (left is string x && right is string y)
            {
                order = string.CompareOrdinal(x, y);
            }
            else
            {
                return false;
            }

            return op switch
            {
                "<" => order < 0,
                ">" => order > 0,
                "<=" => order <= 0,
                _ => order >= 0,
            };
        }

        private object? Evaluate(Expr expression)
        {
            Step(expression.Offset);
            return expression switch
            {
                Literal literal => literal.Value,
                PathExpr path => Resolve(path),
                Filtered filtered => ApplyFilters(Evaluate(filtered.Value), filtered.Filters),
                _ => null,
            };
        }

        private object? Resolve(PathExpr path)
        {
            if (!scope.TryGetValue(path.Parts[0], out var value))
            {
                throw source.Error($"Unknown name '{path.Parts[0]}'", path.Offset);
            }

            for (var i = 1; i < path.Parts.Count; i++)
            {
                var part = path.Parts[i];
                value = value switch
                {
                    null => null,
                    IReadOnlyDictionary<string, object?> map when map.TryGetValue(part, out var member) => member,
                    IReadOnlyList<object?> list when part == "size" => (long)list.Count,
                    IReadOnlyList<object?> list when part == "first" => list.Count > 0 ? list[0] : null,
                    IReadOnlyList<object?> list when part == "last" => list.Count > 0 ? list[^1] : null,
                    string text when part == "size" => (long)text.Length,
                    _ => throw source.Error($"'{string.Join('.', path.Parts.Take(i))}' has no '{part}'", path.Offset),
                };
            }

            return value;
        }

        private object? ApplyFilters(object? value, List<FilterCall> filters)
        {
            foreach (var filter in filters)
            {
                Step(filter.Offset);
                var args = filter.Args.Select(Evaluate).ToList();
                object? Arg(int index) => index < args.Count ? args[index] : throw source.Error($"'{filter.Name}' needs {index + 1} argument(s)", filter.Offset);
                long Number(object? v) => v switch
                {
                    long n => n,
                    string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
                    null => 0,
                    _ => throw source.Error($"'{filter.Name}' needs a number, not '{Stringify(v)}'", filter.Offset),
                };
                value = filter.Name switch
                {
                    "default" => value is null || value is false || value is string { Length: 0 } || value is IReadOnlyList<object?> { Count: 0 } ? Arg(0) : value,
                    "upcase" => Stringify(value).ToUpperInvariant(),
                    "downcase" => Stringify(value).ToLowerInvariant(),
                    "capitalize" => Stringify(value) is { Length: > 0 } s ? char.ToUpperInvariant(s[0]) + s[1..] : string.Empty,
                    "size" => value switch
                    {
                        IReadOnlyList<object?> list => (long)list.Count,
                        null => 0L,
                        _ => (long)Stringify(value).Length,
                    },
                    "join" => value is IReadOnlyList<object?> list ? string.Join(args.Count > 0 ? Stringify(args[0]) : " ", list.Select(Stringify)) : Stringify(value),
                    "append" => Stringify(value) + Stringify(Arg(0)),
                    "prepend" => Stringify(Arg(0)) + Stringify(value),
                    "truncate" => Truncate(Stringify(value), (int)Math.Clamp(Number(Arg(0)), 1, int.MaxValue)),
                    "plus" => Number(value) + Number(Arg(0)),
                    "minus" => Number(value) - Number(Arg(0)),
                    "strip" => Stringify(value).Trim(),
                    // Values are encoded when written to HTML already: escaping again would show "&amp;lt;" to readers.
                    "escape" => value,
                    "first" => value is IReadOnlyList<object?> { Count: > 0 } f ? f[0] : null,
                    "last" => value is IReadOnlyList<object?> { Count: > 0 } l ? l[^1] : null,
                    "replace" => Arg(0) is string { Length: > 0 } old ? Stringify(value).Replace(old, Stringify(Arg(1)), StringComparison.Ordinal) : Stringify(value),
                    _ => value,
                };
            }

            return value;
        }

        private static string Truncate(string text, int length) => text.Length <= length ? text : text[..Math.Max(0, length - 1)] + "…";

        private static bool Truthy(object? value) => value is not (null or false);

        private static string Stringify(object? value) => value switch
        {
            null => string.Empty,
            bool b => b ? "true" : "false",
            long n => n.ToString(CultureInfo.InvariantCulture),
            string s => s,
            IReadOnlyList<object?> list => string.Concat(list.Select(Stringify)),
            IReadOnlyDictionary<string, object?> => string.Empty,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };

        private static string Describe(Expr expression) => expression is PathExpr path ? path.Display : "the value";

        private void Write(string text, int offset)
        {
            if (Output.Length + text.Length > MaxOutputChars)
            {
                throw source.Error($"The template writes more than {MaxOutputChars:N0} characters", offset);
            }

            Output.Append(text);
        }

        private void Step(int offset)
        {
            if (++_steps > MaxSteps)
            {
                throw source.Error($"The template takes more than {MaxSteps:N0} steps to render (a loop too many?)", offset);
            }
        }
    }

    /// <summary>The template text, to turn an offset into a line and position.</summary>
    private sealed class Source(string text)
    {
        public string Text { get; } = text;

        public LiquidException Error(string message, int offset)
        {
            offset = Math.Clamp(offset, 0, Text.Length);
            var line = 1;
            var lineStart = 0;
            for (var i = 0; i < offset; i++)
            {
                if (Text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            return new LiquidException(new LiquidError(message, line, offset - lineStart + 1));
        }
    }
}
