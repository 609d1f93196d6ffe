using System.Globalization;

namespace Megalodon.Cli.Commands;

/// <summary>
/// A small option parser for verbs: <c>--name value</c>, <c>--name=value</c>, flags, positional arguments, and
/// <c>--</c> to end options. Unknown options are usage errors.
/// </summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandOptions(List<string> positionals) => Positionals = positionals;

    /// <summary>The arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The verb's arguments.</param>
    /// <param name="valueOptions">Options that take a value (with their leading <c>--</c>).</param>
    /// <param name="flagOptions">Options that take no value.</param>
    /// <exception cref="UsageException">An option is unknown, repeated, or lacks its value.</exception>
    public static CommandOptions Parse(IReadOnlyList<string> args, IEnumerable<string> valueOptions, IEnumerable<string>? flagOptions = null)
    {
        var takesValue = new HashSet<string>(valueOptions, StringComparer.Ordinal);
        var isFlag = new HashSet<string>(flagOptions ?? [], StringComparer.Ordinal);
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
            else if (takesValue.Contains(name))
            {
                var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"Option {name} needs a value."));
                if (!result._values.TryAdd(name, value)) throw new UsageException($"Option {name} is given twice.");
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
}
