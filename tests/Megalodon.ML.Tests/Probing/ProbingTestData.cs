using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Probing;

/// <summary>Synthetic activations with a planted direction, labelled texts, and a tiny fitted language model.</summary>
internal static class ProbingTestData
{
    public const int Width = 16;

    public sealed class ActivationRow
    {
        public bool Label { get; set; }
        [VectorType(Width)] public float[] Layer0 { get; set; } = [];
    }

    public sealed class LabelledText
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    /// <summary>The planted unit direction: the first coordinate.</summary>
    public static float[] PlantedDirection => Enumerable.Range(0, Width).Select(i => i == 0 ? 1f : 0f).ToArray();

    /// <summary>Gaussian noise plus <paramref name="separation"/> along the planted direction for label true, plus <paramref name="offset"/> everywhere.</summary>
    public static ActivationRow[] Activations(int rows, int seed, float separation = 3f, float offset = 0f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(r =>
        {
            bool label = r % 2 == 0;
            var values = Enumerable.Range(0, Width).Select(i => (float)(Gaussian(random) + offset + (i == 0 && label ? separation : 0))).ToArray();
            return new ActivationRow { Label = label, Layer0 = values };
        }).ToArray();
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Short texts; label true for those about the sea.</summary>
    public static LabelledText[] Texts() =>
    [
        new() { Text = "The sea is deep and blue.", Label = true },
        new() { Text = "A dry desert under the sun.", Label = false },
        new() { Text = "Waves break on the shore.", Label = true },
        new() { Text = "Sand dunes and no water.", Label = false },
        new() { Text = "Sailors cross the ocean.", Label = true },
        new() { Text = "Cactus in the hot dust.", Label = false },
    ];

    /// <summary>A two-layer model of width 16 after two pretraining steps.</summary>
    public static MegalodonLanguageModelTransformer TinyModel(MLContext ml, string? checkpoints = null, Megalodon.ML.Model.MegalodonConfig? config = null)
    {
        var options = PretrainTestData.Options(steps: 2, checkpoints);
        options.CheckpointSteps = [0];
        if (config is not null) options.Config = config;
        return ml.Transforms.Megalodon().Pretrain(options).Fit(PretrainTestData.TextData(ml));
    }
}
