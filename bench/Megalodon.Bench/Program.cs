using Megalodon.Bench;
using Megalodon.ML.Baselines;
using Megalodon.ML.Model;
using Megalodon.ML.Native;
using TorchSharp;

// Hand-run benchmarks; built in CI, never run there. Every mode prints markdown and writes CSV to --out.
TorchNativeLoader.EnsureReady();

BenchOptions options;
try { options = BenchOptions.Parse(args); }
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

torch.set_num_threads(options.Threads);
torch.Device device;
try { device = BenchDevice.Resolve(options); }
catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
Console.WriteLine($"mode {options.Mode}, device {device}, torch threads {torch.get_num_threads()}, {Environment.ProcessorCount} logical CPUs, load average {LoadAverage()}");
foreach (string line in MachineReport.Lines())
    Console.WriteLine(line);
Console.WriteLine();

var bench = MegalodonPresets.Bench();
switch (options.Mode)
{
    case "throughput":
        var models = new List<BenchModel>();
        var megalodon = new BenchModel("Megalodon (bench)", bench.VocabSize, () => new MegalodonModel(bench, device) { Precision = { MatmulType = options.MatmulType } });
        long megalodonParameters;
        using (var probe = megalodon.Create())
            megalodonParameters = BenchModel.ParameterCount(probe);
        if (options.Models is "both" or "megalodon")
            models.Add(megalodon);
        var llama = LlamaConfig.MatchingParameterCount(megalodonParameters, bench.VocabSize, bench.ModelDim, bench.NumLayers,
                                                       options.LlamaHeads > 0 ? options.LlamaHeads : LlamaConfig.MatchingMegalodon(bench).NumHeads);
        if (options.Models is "both" or "llama")
            models.Add(ThroughputBench.Llama(llama, device, options.MatmulType));
        ThroughputBench.Run(options, models, device);
        break;
    case "streaming":
        StreamingBench.Run(options, bench);
        break;
    case "profile":
        ProfileBench.Run(options, options.Preset is null ? bench : options.PresetConfig("bench"), device);
        break;
    case "shakespeare":
        ShakespeareBench.Run(options);
        break;
    case "generate-memory":
        GenerationMemoryBench.Run(options);
        break;
    case "probing":
        Megalodon.Bench.Probing.ProbingExperiment.Run(options);
        break;
    case "prediction":
        PredictionBench.Run(options);
        break;
    case "experiments":
        ExperimentsBench.Run(options, bench);
        break;
    case "nuner":
        NunerBench.Run(options, device);
        break;
    case "ner-full":
        NerFullBench.Run(options, device);
        break;
    case "nuner-probe":
        NunerBench.RunProbe(options, device);
        break;
    case "nuner-arms":
        NunerArmsBench.Run(options, device);
        break;
    case "nuner-loss":
        NunerBench.RunLossCheck(options, device);
        break;
    case "weights-memory":
        WeightsMemoryBench.Run(options);
        break;
    case "continual":
        Megalodon.Bench.Continual.ContinualExperiment.Run(options);
        break;
    case "mfu":
        MfuBench.Run(options, device);
        break;
    case "matmul":
        MatmulBench.Run(options, options.Preset is null ? bench : options.PresetConfig("bench"));
        break;
    case "train-bf16":
        if (!TrainBf16Bench.Run(options, device)) return 1;
        break;
    case "parity":
        try
        {
            if (!ParityBench.Run(options, device)) return 1;
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        break;
    default:
        Console.Error.WriteLine($"Unknown mode '{options.Mode}'.");
        Console.Error.WriteLine(BenchOptions.Usage);
        return 2;
}
Console.WriteLine($"done; load average {LoadAverage()}");
return 0;

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
