using System.Diagnostics;
using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Streaming inference cost: the context is filled quickly with whole-chunk <see cref="MegalodonModel.Step"/> calls,
/// then a window of tokens is fed one per call and timed, at each requested context length. Process memory and
/// the size of the carried state are read at every point.
/// </summary>
internal static class StreamingBench
{
    /// <summary>Targets from the issue: per-token time and memory after the longest context vs the shortest.</summary>
    private const double TargetTimeRatio = 1.3, TargetMemoryRatio = 1.2;

    /// <summary>Chunks per context-filling call: big enough to be quick, the same at every point so peak memory compares.</summary>
    private const int ChunksPerFillCall = 4;

    public static void Run(BenchOptions options, MegalodonConfig config)
    {
        torch.manual_seed(options.Seed);
        using var model = new MegalodonModel(config);
        model.eval();
        var contexts = options.Contexts.Order().ToArray();
        long total = contexts[^1] + (long)options.Window * contexts.Length;
        using var stream = torch.randint(0, config.VocabSize, [1, total], dtype: ScalarType.Int64);
        using var state = model.NewState(1);
        long fillCall = (long)ChunksPerFillCall * config.ChunkSize;
        var table = new ResultTable("streaming", "context", "window", "median ms/token", "mean ms/token", "p90 ms/token",
                                    "RSS MiB", "peak RSS MiB", "state KiB", "live tensors", "fill tokens/s");
        var points = new List<(double Median, long Rss, long Peak, long State)>();
        Console.WriteLine($"Megalodon (bench), {BenchModel.ParameterCount(model):N0} parameters, chunk {config.ChunkSize}; fill calls of {fillCall} tokens");
        WarmUp(model, stream, fillCall, options.Window);

        foreach (int context in contexts)
        {
            // Fill up to the context length (a few whole chunks per call; Step splits at chunk boundaries).
            long fillStart = Stopwatch.GetTimestamp(), filled = 0;
            while (state.Position < context)
            {
                long piece = Math.Min(fillCall, context - state.Position);
                using var scope = torch.NewDisposeScope();
                model.Step(stream.narrow(1, state.Position, piece), state);
                filled += piece;
            }
            double fillRate = filled == 0 ? 0 : filled / (Timing.Since(fillStart) / 1000.0);

            // One token per call over the window.
            var perToken = new double[options.Window];
            for (int i = 0; i < options.Window; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using var scope = torch.NewDisposeScope();
                model.Step(stream.narrow(1, state.Position, 1), state);
                perToken[i] = Timing.Since(start);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var memory = ProcessMemory.Read();
            long stateBytes = StateBytes(state);
            double median = Timing.Median(perToken);
            double p90 = perToken.Order().ElementAt((int)Math.Floor(0.9 * (perToken.Length - 1)));
            table.Add(context, options.Window, median, perToken.Average(), p90, ProcessMemory.MiB(memory.RssBytes),
                      ProcessMemory.MiB(memory.PeakRssBytes), stateBytes / 1024.0, memory.LiveTensors, fillRate);
            points.Add((median, memory.RssBytes, memory.PeakRssBytes, stateBytes));
            Console.WriteLine($"  context {context}: {median:F2} ms/token (median of {options.Window}), RSS {ProcessMemory.MiB(memory.RssBytes):F0} MiB, " +
                              $"peak {ProcessMemory.MiB(memory.PeakRssBytes):F0} MiB, state {stateBytes / 1024.0:F1} KiB, position {state.Position}");
        }
        Console.WriteLine();
        table.Emit(options.OutDir);

        if (points.Count > 1)
        {
            var (first, last) = (points[0], points[^1]);
            var ratios = new ResultTable("streaming-summary", "metric", "value", "target", "met");
            double time = last.Median / first.Median, rss = (double)last.Rss / first.Rss, peak = (double)last.Peak / first.Peak;
            ratios.Add($"time/token {contexts[^1]} / {contexts[0]}", time, $"<= {TargetTimeRatio}", time <= TargetTimeRatio ? "yes" : "NO");
            ratios.Add($"RSS {contexts[^1]} / {contexts[0]}", rss, $"<= {TargetMemoryRatio}", rss <= TargetMemoryRatio ? "yes" : "NO");
            ratios.Add($"peak RSS {contexts[^1]} / {contexts[0]}", peak, $"<= {TargetMemoryRatio}", peak <= TargetMemoryRatio ? "yes" : "NO");
            ratios.Add($"state bytes {contexts[^1]} / {contexts[0]}", (double)last.State / first.State, "", "");
            ratios.Emit(options.OutDir);
        }
    }

    /// <summary>
    /// Runs one fill call and a window of single steps on a throw-away state, so that the first measured point pays
    /// no first-call costs and the process's peak memory already includes one fill call.
    /// </summary>
    private static void WarmUp(MegalodonModel model, Tensor stream, long fillCall, int window)
    {
        using var state = model.NewState(1);
        using (var scope = torch.NewDisposeScope())
            model.Step(stream.narrow(1, 0, fillCall), state);
        for (int i = 0; i < window; i++)
        {
            using var scope = torch.NewDisposeScope();
            model.Step(stream.narrow(1, fillCall + i, 1), state);
        }
    }

    /// <summary>Bytes held by the streaming state's tensors (norm statistics, CEMA state, partial-chunk keys and values).</summary>
    internal static long StateBytes(MegalodonState state)
    {
        static long Bytes(Tensor? t) => t is null ? 0 : t.numel() * t.ElementSize;
        static long NormBytes(TimestepNormState? n) => n is null ? 0 : Bytes(n.Count) + Bytes(n.Mean) + Bytes(n.Variance);
        long total = NormBytes(state.FinalNorm);
        foreach (var layer in state.Layers)
            total += NormBytes(layer.Norm) + Bytes(layer.CemaHidden) + Bytes(layer.Attention.Keys) + Bytes(layer.Attention.Values);
        return total;
    }
}
