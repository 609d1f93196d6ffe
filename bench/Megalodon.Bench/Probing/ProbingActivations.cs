using Megalodon.ML.Model;
using Megalodon.ML.Probing;
using Megalodon.ML.Tokenization;

namespace Megalodon.Bench.Probing;

/// <summary>Reads layer outputs of many texts in batches of similar length (less padding), returned in input order.</summary>
internal static class ProbingActivations
{
    /// <summary>Last-token outputs of <paramref name="layers"/> (null: all) for every text, steered when <paramref name="steering"/> is given.</summary>
    public static LayerActivations Read(MegalodonModel model, ModelTokenizer tokenizer, IReadOnlyList<string> texts, IReadOnlyList<int>? layers = null,
        ActivationSteering? steering = null, int batch = 32)
    {
        var extractor = new LayerActivationExtractor(model, layers, ActivationPosition.Last, tokenizer.EndOfTextId);
        var ids = texts.Select(t => tokenizer.Encode(t)).ToList();
        var order = Enumerable.Range(0, ids.Count).OrderBy(i => ids[i].Count).ToArray();
        var values = extractor.Layers.Select(_ => new float[texts.Count][]).ToArray();
        for (int start = 0; start < order.Length; start += batch)
        {
            var rows = order.Skip(start).Take(batch).ToArray();
            var part = extractor.Extract(rows.Select(i => ids[i]).ToList(), steering);
            for (int k = 0; k < values.Length; k++)
                for (int r = 0; r < rows.Length; r++) values[k][rows[r]] = part.Values[k][r];
        }
        return new LayerActivations(extractor.Layers, values);
    }
}
