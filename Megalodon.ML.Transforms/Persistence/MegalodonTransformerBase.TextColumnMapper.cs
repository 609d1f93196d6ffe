using System.Reflection;
using Megalodon.ML.Transforms.Data;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Transforms;

public abstract partial class MegalodonTransformerBase
{
    /// <summary>
    /// The one-row-at-a-time mapper (PredictionEngine, row-to-row use) of a transformer whose outputs are computed from one
    /// text column, declared as the same <see cref="BatchedOutputColumn{TResult}"/>s its batched path writes. All outputs of
    /// a row share one computation: the last row's result is kept by row and position.
    /// </summary>
    /// <typeparam name="TResult">The per-row result.</typeparam>
    private protected sealed class TextColumnMapper<TResult> : MegalodonMapperBase where TResult : class
    {
        private readonly int _inputIndex;
        private readonly IReadOnlyList<BatchedOutputColumn<TResult>> _outputs;
        private readonly Func<string, TResult> _compute;
        private readonly Lock _lock = new();
        private (DataViewRow Row, long Position, TResult Result)? _last;

        public TextColumnMapper(MegalodonTransformerBase parent, DataViewSchema inputSchema, string inputColumn,
            IReadOnlyList<BatchedOutputColumn<TResult>> outputs, Func<string, TResult> compute)
            : base(parent, inputSchema, nameof(TextColumnMapper<TResult>))
        {
            _inputIndex = TextColumn.CheckSchema(Host, inputSchema, inputColumn);
            _outputs = outputs;
            _compute = compute;
        }

        protected override IReadOnlyList<int> InputColumnIndices => [_inputIndex];

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            _outputs.Select(c => new DataViewSchema.DetachedColumn(c.Name, c.Type, c.Annotations)).ToArray();

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getText = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[_inputIndex]);
            TResult Current()
            {
                lock (_lock)
                {
                    if (_last is { } last && ReferenceEquals(last.Row, input) && last.Position == input.Position)
                        return last.Result;
                }
                ReadOnlyMemory<char> text = default;
                getText(ref text);
                var result = _compute(text.ToString());
                lock (_lock) _last = (input, input.Position, result);
                return result;
            }
            var output = _outputs[iinfo];
            // The column's value type is only known at run time: bind the typed getter by reflection.
            return (Delegate)TypedGetterMethod.MakeGenericMethod(output.ValueType).Invoke(null, [output.Read, (Func<TResult>)Current])!;
        }

        private static readonly MethodInfo TypedGetterMethod =
            typeof(TextColumnMapper<TResult>).GetMethod(nameof(TypedGetter), BindingFlags.NonPublic | BindingFlags.Static)!;

        private static ValueGetter<TValue> TypedGetter<TValue>(Delegate read, Func<TResult> current)
        {
            var typed = (BatchedReader<TResult, TValue>)read;
            return (ref TValue value) => typed(current(), ref value);
        }
    }
}
