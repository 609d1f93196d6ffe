using System.Globalization;

namespace Megalodon.Cli.Commands;

/// <summary>
/// A small option parser for verbs: <c>--name value</c>, <c>--name=value</c>, flags, repeatable options, positional
/// arguments, and <c>--</c> to end options. Unknown options are usage errors.
/// </summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandOptions(List<string> positionals) => Positionals = positionals;

    /// <summary>The arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The verb's arguments.</param>
    /// <param name="valueOptions">Options that take a value (with their leading <c>--</c>).</param>
    /// <param name="flagOptions">Options that take no value.</param>
    /// <param name="repeatableOptions">Options that take a value and may be given more than once (read with <see cref="Values"/>).</param>
    /// <exception cref="UsageException">An option is unknown, repeated, or lacks its value.</exception>
    public static CommandOptions Parse(IReadOnlyList<string> args, IEnumerable<string> valueOptions, IEnumerable<string>? flagOptions = null,
        IEnumerable<string>? repeatableOptions = null)
    {
        var takesValue = new HashSet<string>(valueOptions, StringComparer.Ordinal);
        var isFlag = new HashSet<string>(flagOptions ?? [], StringComparer.Ordinal);
        var repeatable = new HashSet<string>(repeatableOptions ?? [], StringComparer.Ordinal);
        var result = new CommandOptions([]);
        var positionals = (List<string>)result.Positionals;
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (optionsEnded || !arg.StartsWith('-') || arg == "-")
            {
                positionals.Add(arg);
                continue;
            }
            if (arg == "--") { optionsEnded = true; continue; }
            var (name, inlineValue) = arg.IndexOf('=') is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (isFlag.Contains(name))
            {
                if (inlineValue is not null) throw new UsageException($"Option {name} takes no value.");
                result._flags.Add(name);
            }
            else if (takesValue.Contains(name) || repeatable.Contains(name))
            {
                var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"Option {name} needs a value."));
                if (repeatable.Contains(name))
                {
                    if (!result._repeated.TryGetValue(name, out var list)) result._repeated[name] = list = [];
                    list.Add(value);
                }
                else if (!result._values.TryAdd(name, value)) throw new UsageException($"Option {name} is given twice.");
            }
            else throw new UsageException($"Unknown option '{name}'.");
        }
        return result;
    }

    /// <summary>Whether a flag was given.</summary>
    public bool Has(string flag) => _flags.Contains(flag);

    /// <summary>An option's value, or null.</summary>
    public string? Value(string option) => _values.GetValueOrDefault(option);

    /// <summary>An integer option within [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="UsageException">The value is not an integer in range.</exception>
    public int Int(string option, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Value(option);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"Option {option} needs an integer from {min} to {max} (got '{text}').");
        return value;
    }

    /// <summary>Every value of a repeatable option, in order; empty when absent.</summary>
    public IReadOnlyList<string> Values(string option) => _repeated.TryGetValue(option, out var list) ? list : [];

    /// <summary>An integer option within [<paramref name="min"/>, <paramref name="max"/>], or null when absent.</summary>
    /// <exception cref="UsageException">The value is not an integer in range.</exception>
    public int? IntOrNull(string option, int min = int.MinValue, int max = int.MaxValue) =>
        Value(option) is null ? null : Int(option, 0, min, max);

    /// <summary>
    /// A positive count such as a token budget, with an optional <c>k</c>, <c>M</c> or <c>G</c> suffix (10^3, 10^6, 10^9),
    /// or null when absent.
    /// </summary>
    /// <exception cref="UsageException">The value is not a positive count.</exception>
    public long? CountOrNull(string option)
    {
        var text = Value(option);
        if (text is null) return null;
        var (digits, scale) = text.Length > 0 ? char.ToLowerInvariant(text[^1]) switch
        {
            'k' => (text[..^1], 1_000L),
            'm' => (text[..^1], 1_000_000L),
            'g' => (text[..^1], 1_000_000_000L),
            _ => (text, 1L),
        } : (text, 1L);
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value * scale >= 1) || value * scale > long.MaxValue / 2)
            throw new UsageException($"Option {option} needs a positive count such as 500000 or 2M (got '{text}').");
        return (long)Math.Round(value * scale);
    }

    /// <summary>
    /// A number option within [<paramref name="min"/>, <paramref name="max"/>] (or above <paramref name="min"/> when
    /// <paramref name="minExclusive"/>), or <paramref name="fallback"/> when absent.
    /// </summary>
    /// <exception cref="UsageException">The value is not a number in range.</exception>
    public double Double(string option, double fallback, double min = double.MinValue, double max = double.MaxValue, bool minExclusive = false)
    {
        var text = Value(option);
        if (text is null) return fallback;
        bool aboveMin(double v) => minExclusive ? v > min : v >= min;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || !aboveMin(value) || value > max)
        {
            var range = (minExclusive ? $"above {Format(min)}" : $"from {Format(min)}") + (max == double.MaxValue ? "" : $" to {Format(max)}");
            throw new UsageException($"Option {option} needs a number {range} (got '{text}').");
        }
        return value;
    }

    /// <summary>A choice among <paramref name="choices"/> (case-insensitive), or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="UsageException">The value is not one of the choices.</exception>
    public string Choice(string option, string fallback, params string[] choices)
    {
        var text = Value(option);
        if (text is null) return fallback;
        return choices.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"Option {option} must be one of {string.Join(", ", choices)} (got '{text}').");
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
