namespace Megalodon.ML.Model;

/// <summary>Named model shapes: tiny and small for CPU work, the bench config, and the reference's published shapes.</summary>
public static class MegalodonPresets
{
    /// <summary>A few hundred thousand parameters: tests and the embedded demo.</summary>
    public static MegalodonConfig Tiny(int vocabSize = 256) => new()
    {
        NumLayers = 2, ModelDim = 64, ZDim = 32, ValueDim = 128, NumHeads = 2, FfnHiddenDim = 128,
        CemaNDim = 8, ChunkSize = 64, NormNumGroups = 8, SwiGlu = true, VocabSize = vocabSize,
    };

    /// <summary>The benchmark config of the project's CPU targets (4 layers, D=256).</summary>
    public static MegalodonConfig Bench(int vocabSize = 8192) => new()
    {
        NumLayers = 4, ModelDim = 256, ZDim = 64, ValueDim = 512, NumHeads = 2, FfnHiddenDim = 512,
        CemaNDim = 16, ChunkSize = 256, NormNumGroups = 32, SwiGlu = true, VocabSize = vocabSize,
    };

    /// <summary>A small model for real text on CPU (about 10M parameters with an 8K vocabulary).</summary>
    public static MegalodonConfig Small(int vocabSize = 8192) => new()
    {
        NumLayers = 6, ModelDim = 384, ZDim = 96, ValueDim = 768, NumHeads = 2, FfnHiddenDim = 1024,
        CemaNDim = 16, ChunkSize = 256, NormNumGroups = 32, SwiGlu = true, VocabSize = vocabSize,
    };

    /// <summary>The reference's mega200M shape.</summary>
    public static MegalodonConfig Mega200M(int vocabSize = 32000) => new()
    {
        NumLayers = 12, ModelDim = 1024, ZDim = 256, ValueDim = 2048, NumHeads = 1, FfnHiddenDim = 2560,
        CemaNDim = 16, ChunkSize = 2048, NormNumGroups = 32, VocabSize = vocabSize,
    };

    /// <summary>The reference's mega1.3B shape.</summary>
    public static MegalodonConfig Mega1_3B(int vocabSize = 32000) => new()
    {
        NumLayers = 24, ModelDim = 2048, ZDim = 512, ValueDim = 4096, NumHeads = 2, FfnHiddenDim = 4864,
        CemaNDim = 16, ChunkSize = 2048, NormNumGroups = 64, VocabSize = vocabSize,
    };

    /// <summary>The reference's mega7.1B shape.</summary>
    public static MegalodonConfig Mega7B(int vocabSize = 32000) => new()
    {
        NumLayers = 32, ModelDim = 4096, ZDim = 1024, ValueDim = 8192, NumHeads = 4, FfnHiddenDim = 11264,
        CemaNDim = 16, ChunkSize = 2048, NormNumGroups = 64, VocabSize = vocabSize,
    };

    /// <summary>Looks a preset up by name (tiny, bench, small, 200m, 1.3b, 7b; case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static MegalodonConfig ByName(string name, int vocabSize) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny(vocabSize),
        "bench" => Bench(vocabSize),
        "small" => Small(vocabSize),
        "200m" or "mega200m" => Mega200M(vocabSize),
        "1.3b" or "mega1.3b" => Mega1_3B(vocabSize),
        "7b" or "mega7b" or "mega7.1b" => Mega7B(vocabSize),
        _ => throw new ArgumentException($"Unknown model preset '{name}'. Known: tiny, bench, small, 200m, 1.3b, 7b."),
    };
}
