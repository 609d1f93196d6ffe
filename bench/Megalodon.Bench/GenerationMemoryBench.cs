using System.Diagnostics;
using Megalodon.ML.Generation;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using TorchSharp;

namespace Megalodon.Bench;

/// <summary>
/// Peak process memory of generating <c>--window</c> tokens after a prompt of each <c>--contexts</c> length, on the
/// bench shape with the byte-level vocabulary. Peak resident memory only grows within a process, so run one prompt
/// length per process (the mode refuses more) and compare the runs.
/// </summary>
internal static class GenerationMemoryBench
{
    public static void Run(BenchOptions options)
    {
        if (options.Contexts.Length != 1)
            throw new ArgumentException("generate-memory measures a peak, which only grows within a process: give exactly one --contexts value per run.");
        int promptTokens = options.Contexts[0], generate = options.Window;
        torch.manual_seed(options.Seed);
        var model = new MegalodonModel(MegalodonPresets.Bench(ByteLevelTokenizer.VocabularySize));
        model.eval();
        var random = new Random(options.Seed);
        string prompt = new(Enumerable.Range(0, promptTokens).Select(_ => (char)('a' + random.Next(26))).ToArray());
        var generator = new TextGenerator(model, ByteLevelTokenizer.Instance, ByteLevelTokenizer.EndOfTextId);

        var before = ProcessMemory.Read();
        var clock = Stopwatch.StartNew();
        int pieces = 0;
        foreach (var _ in generator.GenerateAsync(prompt, new GenerationOptions { MaxTokens = generate, Seed = options.Seed }).ToBlockingEnumerable())
            pieces++;
        clock.Stop();
        var after = ProcessMemory.Read();

        var table = new ResultTable($"generate-memory-{promptTokens}", "prompt tokens", "generated tokens", "seconds", "peak RSS before (MiB)", "peak RSS after (MiB)", "RSS after (MiB)", "live tensors");
        table.Add(promptTokens, generate, Math.Round(clock.Elapsed.TotalSeconds, 1), Math.Round(ProcessMemory.MiB(before.PeakRssBytes)),
            Math.Round(ProcessMemory.MiB(after.PeakRssBytes)), Math.Round(ProcessMemory.MiB(after.RssBytes)), after.LiveTensors);
        table.Emit(options.OutDir);
        Console.WriteLine($"({pieces} text pieces streamed)");
    }
}
