using System.Diagnostics;
using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Peak process memory of saving and loading a model zip, relative to the size of its weights, and a streamed
/// round trip of one safetensors tensor above 2 GiB. Peak resident memory only grows within a process, so each
/// part runs in its own process: <c>--part save</c> (writes the zip into --out), then <c>--part load</c> (reads it),
/// or <c>--part big-tensor</c> (<c>--tensor-gib</c>, default 2.2).
/// </summary>
internal static class WeightsMemoryBench
{
    public static void Run(BenchOptions options)
    {
        Directory.CreateDirectory(options.OutDir);
        string zip = Path.Combine(options.OutDir, "weights-memory.zip");
        switch (options.Part)
        {
            case "save": Save(options, zip); break;
            case "load": Load(options, zip); break;
            case "big-tensor": BigTensor(options); break;
            default: throw new ArgumentException($"weights-memory: --part must be save, load or big-tensor (got '{options.Part}').");
        }
    }

    private static void Save(BenchOptions options, string zip)
    {
        var config = options.PresetConfig("small");
        string folder = Path.Combine(options.OutDir, "weights-memory-checkpoint");
        torch.manual_seed(options.Seed);
        using (var initial = new MegalodonModel(config))
            CheckpointExport.Write(folder, initial, ModelTokenizer.ByteLevel(config.VocabSize), CheckpointFormat.Megalodon);
        var ml = new MLContext();
        using var lm = ml.Transforms.Megalodon().LoadCheckpoint(folder);
        Directory.Delete(folder, recursive: true);
        long weights = WeightBytes(lm.Model);
        var (before, peak, seconds) = Measure(() => ml.Model.Save(lm, null, zip));
        // The model itself counts once: the ratio is (weights + anything the save added at its peak) / weights.
        Report(options, "save", config, weights, before, peak, seconds, (weights + peak - before) / (double)weights);
    }

    private static void Load(BenchOptions options, string zip)
    {
        if (!File.Exists(zip)) throw new ArgumentException($"weights-memory: run --part save first (no {zip}).");
        var ml = new MLContext();
        ITransformer? loaded = null;
        var (before, peak, seconds) = Measure(() => loaded = ml.Model.Load(zip, out _));
        var lm = ModelFiles.FindLanguageModel(loaded!)!;
        long weights = WeightBytes(lm.Model);
        // Everything the load added at its peak (the loaded model included) / weights.
        Report(options, "load", lm.Model.Config, weights, before, peak, seconds, (peak - before) / (double)weights);
        lm.Dispose();
    }

    private static void BigTensor(BenchOptions options)
    {
        long bytes = (long)(options.TensorGib * (1L << 30));
        string path = Path.Combine(options.OutDir, "big-tensor.safetensors");
        using (var tensor = torch.empty(bytes, ScalarType.Byte))
        {
            long offset = 0;
            TensorMemory.ForEachChunk(tensor, chunk => { Fill(chunk, offset); offset += chunk.Length; });
            var clock = Stopwatch.StartNew();
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                SafeTensors.Save(file, new Dictionary<string, Tensor> { ["big"] = tensor });
            Console.WriteLine($"wrote {bytes:N0} bytes of one tensor through the streaming writer in {clock.Elapsed.TotalSeconds:F1} s: {new FileInfo(path).Length:N0} bytes on disk");
        }
        GC.Collect();
        var (before, peak, seconds) = Measure(() =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
            using var reader = SafeTensorsReader.Open(file, path);
            using var back = reader.Read("big");
            long offset = 0, wrong = 0;
            var expected = new byte[TensorMemory.DefaultChunkBytes];
            TensorMemory.ForEachChunk(back, chunk =>
            {
                var want = expected.AsSpan(0, chunk.Length);
                Fill(want, offset);
                if (!chunk.SequenceEqual(want)) wrong++;
                offset += chunk.Length;
            });
            Console.WriteLine($"read back {back.numel():N0} bytes (shape [{string.Join(", ", back.shape)}]): {(wrong == 0 ? "every byte matches" : $"{wrong} chunks differ")}");
            if (wrong != 0) throw new InvalidDataException("the big tensor did not round-trip.");
        });
        var table = new ResultTable("weights-memory-big-tensor", "tensor bytes", "read seconds", "RSS before read (MiB)", "peak during read (MiB)", "peak / tensor");
        table.Add(bytes, Math.Round(seconds, 1), Math.Round(ProcessMemory.MiB(before)), Math.Round(ProcessMemory.MiB(peak)), Math.Round((peak - before) / (double)bytes, 2));
        table.Emit(options.OutDir);
        File.Delete(path);
    }

    private static void Fill(Span<byte> chunk, long offset)
    {
        for (int i = 0; i < chunk.Length; i++) chunk[i] = (byte)((offset + i) * 31 % 251);
    }

    private static long WeightBytes(MegalodonModel model) =>
        model.state_dict().Values.Sum(t => t.numel() * t.ElementSize) + (model.Config.ShareEmb ? model.Config.VocabSize * (long)model.Config.ModelDim * 4 : 0);

    /// <summary>Runs <paramref name="action"/> with the peak-RSS mark reset first; returns RSS before, the peak during, and seconds.</summary>
    private static (long Before, long Peak, double Seconds) Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux), so the peak read next belongs to the action.
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { Console.WriteLine($"(cannot reset the peak mark: {ex.Message})"); }
        long before = ProcessMemory.Read().RssBytes;
        var clock = Stopwatch.StartNew();
        action();
        clock.Stop();
        return (before, ProcessMemory.Read().PeakRssBytes, clock.Elapsed.TotalSeconds);
    }

    private static void Report(BenchOptions options, string part, MegalodonConfig config, long weights, long before, long peak, double seconds, double ratio)
    {
        var table = new ResultTable($"weights-memory-{part}", "part", "layers x D, vocab", "weight bytes (MiB)", "seconds", "RSS before (MiB)", "peak during (MiB)", "peak / weights");
        table.Add(part, $"{config.NumLayers} x {config.ModelDim}, {config.VocabSize}", Math.Round(ProcessMemory.MiB(weights)), Math.Round(seconds, 1),
            Math.Round(ProcessMemory.MiB(before)), Math.Round(ProcessMemory.MiB(peak)), Math.Round(ratio, 2));
        table.Emit(options.OutDir);
    }
}
