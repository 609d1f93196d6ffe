using Megalodon.ML.Generation;
using Megalodon.ML.Runtime;
using Megalodon.ML.Transforms.Pretraining;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon generate</c>: loads a saved model and streams a continuation of a prompt to standard output as it is
/// generated.
/// </summary>
public sealed class GenerateCommand : ICliCommand
{
    private const string ModelOption = "--model";
    private const string PromptOption = "--prompt";
    private const string PromptFileOption = "--prompt-file";
    private const string MaxTokensOption = "--max-tokens";
    private const string TemperatureOption = "--temperature";
    private const string TopKOption = "--top-k";
    private const string TopPOption = "--top-p";
    private const string StopOption = "--stop";
    private const string SeedOption = "--seed";
    private const string ThreadsOption = "--threads";
    private const string EchoFlag = "--echo";

    /// <summary>Tokens generated when <c>--max-tokens</c> is not given.</summary>
    public const int DefaultMaxTokens = 200;

    /// <summary>Temperature when <c>--temperature</c> is not given.</summary>
    public const double DefaultTemperature = 0.8;

    /// <inheritdoc />
    public string Name => "generate";

    /// <inheritdoc />
    public string Summary => "Generate text from a saved model, streamed as it is produced.";

    /// <inheritdoc />
    public string Usage =>
        $"""
        Usage: megalodon generate --model FILE (--prompt TEXT | --prompt-file FILE) [options]

        Loads an ML.NET model saved by 'megalodon pretrain' (the language model may sit inside a
        transformer chain) and writes a continuation of the prompt to standard output as it is generated.

        Options:
          --model FILE        the saved model (.zip)
          --prompt TEXT       the prompt
          --prompt-file FILE  read the prompt from a file instead
          --max-tokens N      most tokens to generate (default: {DefaultMaxTokens})
          --temperature T     sampling temperature, 0 for greedy (default: {DefaultTemperature.ToString(System.Globalization.CultureInfo.InvariantCulture)})
          --top-k K           sample among the K most likely tokens, 0 for all (default: 0)
          --top-p P           nucleus sampling threshold in (0, 1] (default: 1)
          --stop S            stop before S would be written; repeatable
          --seed N            sampler seed (default: random)
          --threads N         torch threads (default: MEGALODON_THREADS, else 1)
          --echo              write the prompt before the continuation

        Exit code: 0 success, 1 unreadable model or prompt file, 2 bad arguments.

        """;

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var o = CommandOptions.Parse(args,
            [ModelOption, PromptOption, PromptFileOption, MaxTokensOption, TemperatureOption, TopKOption, TopPOption, SeedOption, ThreadsOption],
            [EchoFlag], [StopOption]);
        if (o.Positionals.Count > 0) throw new UsageException($"Unexpected argument '{o.Positionals[0]}'.");
        var modelPath = o.Value(ModelOption) ?? throw new UsageException($"Missing {ModelOption} FILE.");
        if ((o.Value(PromptOption) is null) == (o.Value(PromptFileOption) is null))
            throw new UsageException($"Give exactly one of {PromptOption} TEXT and {PromptFileOption} FILE.");
        if (o.Values(StopOption).Any(string.IsNullOrEmpty)) throw new UsageException($"Option {StopOption} needs a non-empty string.");
        var options = new GenerationOptions
        {
            MaxTokens = o.Int(MaxTokensOption, DefaultMaxTokens, min: 0),
            Temperature = o.Double(TemperatureOption, DefaultTemperature, min: 0, max: 100),
            TopK = o.Int(TopKOption, 0, min: 0),
            TopP = o.Double(TopPOption, 1, min: 0, max: 1, minExclusive: true),
            StopStrings = o.Values(StopOption),
            Seed = o.IntOrNull(SeedOption),
        };
        int? threads = o.IntOrNull(ThreadsOption, min: 1, max: 1024);

        string prompt = o.Value(PromptOption) ?? ReadPrompt(o.Value(PromptFileOption)!);
        TorchDevices.ConfigureThreads(threads);
        using var model = LanguageModelFile.Load(modelPath);
        if (o.Has(EchoFlag)) output.Write(prompt);
        StreamAsync(model, prompt, options, output).GetAwaiter().GetResult();
        output.WriteLine();
        output.Flush();
        return 0;
    }

    private static string ReadPrompt(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"prompt file '{path}' not found.");
        return File.ReadAllText(path);
    }

    private static async Task StreamAsync(MegalodonLanguageModelTransformer model, string prompt, GenerationOptions options, TextWriter output)
    {
        await foreach (var piece in model.GenerateAsync(prompt, options).ConfigureAwait(false))
        {
            output.Write(piece);
            // Flush every piece: the point is to see the text as it comes.
            output.Flush();
        }
    }
}
