using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Megalodon.Cli.CommandLine;

/// <summary>
/// Typed options with the CLI's own value rules (invariant numbers, ranges, case-insensitive choices, token counts
/// such as <c>2M</c>), so that a bad value is a parse error naming the option and the value (exit code 2).
/// </summary>
internal static class CliOptions
{
    /// <summary>A text value, null when absent.</summary>
    public static Option<string?> Text(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description };

    /// <summary>A repeatable value; with <paramref name="manyPerToken"/> it also takes the values that follow it (<c>--data *.txt</c>).</summary>
    public static Option<string[]> Repeated(string name, string helpName, string description, bool manyPerToken = false) =>
        new(name) { HelpName = helpName, Description = description, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = manyPerToken };

    /// <summary>A flag that takes no value.</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>An integer within [<paramref name="min"/>, <paramref name="max"/>], null when absent.</summary>
    public static Option<int?> Int(string name, string description, int min = int.MinValue, int max = int.MaxValue, string helpName = "N") =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            CustomParser = r =>
            {
                var text = Last(r);
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
                r.AddError($"Option {name} needs an integer{Range(min, max)} (got '{text}').");
                return null;
            },
        };

    /// <summary>
    /// A positive count such as a token budget, with an optional <c>k</c>, <c>M</c> or <c>G</c> suffix (10^3, 10^6,
    /// 10^9), null when absent.
    /// </summary>
    public static Option<long?> Count(string name, string description) =>
        new(name)
        {
            HelpName = "N",
            Description = description,
            CustomParser = r =>
            {
                var text = Last(r);
                if (ParseCount(text) is { } count) return count;
                r.AddError($"Option {name} needs a positive count such as 500000 or 2M (got '{text}').");
                return null;
            },
        };

    /// <summary>
    /// A finite number within [<paramref name="min"/>, <paramref name="max"/>] (above <paramref name="min"/> when
    /// <paramref name="minExclusive"/>), null when absent.
    /// </summary>
    public static Option<double?> Number(string name, string description, double min = double.MinValue, double max = double.MaxValue,
        bool minExclusive = false, string helpName = "X") =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            CustomParser = r =>
            {
                var text = Last(r);
                bool aboveMin(double v) => minExclusive ? v > min : v >= min;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && aboveMin(value) && value <= max)
                    return value;
                var range = (minExclusive ? $"above {Format(min)}" : $"from {Format(min)}") + (max == double.MaxValue ? "" : $" to {Format(max)}");
                r.AddError($"Option {name} needs a number {range} (got '{text}').");
                return null;
            },
        };

    /// <summary>One of <paramref name="choices"/>, case-insensitive, given back as listed; null when absent. The choices complete.</summary>
    public static Option<string?> Choice(string name, string description, params string[] choices)
    {
        var option = new Option<string?>(name)
        {
            HelpName = string.Join('|', choices),
            Description = description,
            CustomParser = r =>
            {
                var text = Last(r);
                var match = choices.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase));
                if (match is null) r.AddError($"Option {name} must be one of {string.Join(", ", choices)} (got '{text}').");
                return match;
            },
        };
        option.CompletionSources.Add(choices);
        return option;
    }

    /// <summary>A comma-separated list of values, each checked by <paramref name="parse"/>; null when absent.</summary>
    /// <param name="name">The option.</param>
    /// <param name="helpName">The value's name in the help.</param>
    /// <param name="description">The help line.</param>
    /// <param name="parse">One item's value, or null when it is not acceptable.</param>
    /// <param name="needs">What the items must be, for the error message ("positive integers").</param>
    public static Option<T[]?> List<T>(string name, string helpName, string description, Func<string, T?> parse, string needs) where T : struct =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            CustomParser = r =>
            {
                var items = new List<T>();
                foreach (var part in Last(r).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (parse(part) is not { } item)
                    {
                        r.AddError($"Option {name} needs {needs} separated by commas (got '{part}').");
                        return null;
                    }
                    items.Add(item);
                }
                if (items.Count == 0) r.AddError($"Option {name} needs at least one value.");
                return [.. items];
            },
        };

    /// <summary>An integer parsed with the invariant culture, or null.</summary>
    public static int? ParseInt(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A finite number parsed with the invariant culture, or null.</summary>
    public static double? ParseNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    /// <summary><c>--threads N</c>, shared by every verb that runs the model.</summary>
    public static Option<int?> Threads() => Int("--threads", "torch threads (default: MEGALODON_THREADS, else 1)", min: 1, max: 1024);

    /// <summary><c>--device NAME</c>, shared by the verbs that can run on a GPU.</summary>
    public static Option<string?> Device()
    {
        var option = Text("--device", "NAME", "cpu, cuda, cuda:N or auto (default: cpu)");
        option.CompletionSources.Add("cpu", "cuda", "auto");
        return option;
    }

    /// <summary>Makes <paramref name="a"/> and <paramref name="b"/> exclusive: giving both is a usage error.</summary>
    public static void AtMostOne(Command command, Option a, Option b) =>
        command.Validators.Add(r =>
        {
            if (Given(r, a) && Given(r, b)) r.AddError($"Give {a.Name} or {b.Name}, not both.");
        });

    /// <summary>Exactly one of <paramref name="a"/> and <paramref name="b"/> must be given.</summary>
    public static void ExactlyOne(Command command, Option a, Option b) =>
        command.Validators.Add(r =>
        {
            if (Given(r, a) == Given(r, b)) r.AddError($"Give exactly one of {a.Name} {a.HelpName} and {b.Name} {b.HelpName}.");
        });

    /// <summary>
    /// The value of <paramref name="option"/> for a validator: default when it is absent or its own value is already an
    /// error (reported once, by the option).
    /// </summary>
    public static T? Value<T>(SymbolResult result, Option<T> option)
    {
        if (result.GetResult(option) is not { } given) return default;
        try { return given.GetValueOrDefault<T>(); }
        catch (InvalidOperationException) { return default; }
    }

    /// <summary>Whether <paramref name="option"/> was typed on the command line.</summary>
    public static bool Given(SymbolResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>The count <paramref name="text"/> stands for, or null when it is not a positive count.</summary>
    internal static long? ParseCount(string text)
    {
        var (digits, scale) = text.Length > 0 ? char.ToLowerInvariant(text[^1]) switch
        {
            'k' => (text[..^1], 1_000L),
            'm' => (text[..^1], 1_000_000L),
            'g' => (text[..^1], 1_000_000_000L),
            _ => (text, 1L),
        } : (text, 1L);
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value * scale >= 1) || value * scale > long.MaxValue / 2)
            return null;
        return (long)Math.Round(value * scale);
    }

    // The last value wins when an option is repeated, as with most command lines.
    private static string Last(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    private static string Range(int min, int max) =>
        (min, max) switch
        {
            (int.MinValue, int.MaxValue) => "",
            (_, int.MaxValue) => string.Create(CultureInfo.InvariantCulture, $" of at least {min}"),
            _ => string.Create(CultureInfo.InvariantCulture, $" from {min} to {max}"),
        };

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
