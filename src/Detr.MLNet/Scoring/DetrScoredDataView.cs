using Detr.MLNet.Imaging;
using Detr.MLNet.Postprocessing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Scoring;

/// <summary>
/// The lazy result of <see cref="DetrScoringTransformer.Transform"/>: input columns pass through, detections are
/// computed in batches as a cursor moves.
/// </summary>
sealed class DetrScoredDataView(IDataView input, DetrScoringTransformer parent) : IDataView
{
    readonly DetrScoringBinding _binding = new(parent, input.Schema);

    public DataViewSchema Schema => _binding.Output;

    public bool CanShuffle => false;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var main = input.GetRowCursor(needed.Where(c => !_binding.IsPrediction(c)).Select(c => input.Schema[c.Index]));
        var lookahead = needed.Any(_binding.IsPrediction) ? input.GetRowCursor(_binding.ScoringInputs()) : null;
        return new Cursor(_binding, main, lookahead, needed.Select(c => c.Index).ToHashSet());
    }

    // Batching reads ahead, so detections come from a second cursor over the same rows; IDataView cursors are
    // repeatable, which keeps both in step. One cursor suffices: ONNX Runtime already uses every core per batch.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    sealed class Cursor : DataViewRowCursor
    {
        readonly DetrScoringBinding _binding;
        readonly DataViewRowCursor _main;
        readonly DataViewRowCursor? _lookahead;
        readonly HashSet<int> _active;
        readonly DetrScoringBinding.Scorer? _scorer;
        DetrDetections[] _batch = [];
        int _indexInBatch = -1;

        public Cursor(DetrScoringBinding binding, DataViewRowCursor main, DataViewRowCursor? lookahead, HashSet<int> active)
        {
            _binding = binding;
            _main = main;
            _lookahead = lookahead;
            _active = active;
            if (lookahead is not null)
                _scorer = binding.CreateScorer(lookahead);
        }

        public override DataViewSchema Schema => _binding.Output;

        public override long Position => _main.Position;

        public override long Batch => _main.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_main.MoveNext())
                return false;
            if (_lookahead is not null && ++_indexInBatch >= _batch.Length)
            {
                ScoreNextBatch();
                _indexInBatch = 0;
            }
            return true;
        }

        void ScoreNextBatch()
        {
            var images = new List<RgbImage?>(_scorer!.BatchSize);
            while (images.Count < _scorer.BatchSize && _lookahead!.MoveNext())
                images.Add(_scorer.ReadImage());
            if (images.Count == 0)
                throw new InvalidOperationException("The input data view returned fewer rows on a second pass; DETR scoring needs repeatable cursors.");
            _batch = _scorer.Score(images);
        }

        DetrDetections Current() => _indexInBatch >= 0 && _indexInBatch < _batch.Length
            ? _batch[_indexInBatch]
            : throw new InvalidOperationException("Move the cursor to a row before reading detections.");

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            return _binding.GetGetter<TValue>(_main, column, Current);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _main.Dispose();
                _lookahead?.Dispose();
                _scorer?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
