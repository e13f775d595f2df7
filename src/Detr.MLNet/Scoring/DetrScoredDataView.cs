using Detr.MLNet.Imaging;
using Detr.MLNet.Postprocessing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Scoring;

/// <summary>
/// The lazy result of <see cref="DetrScoringTransformer.Transform"/>: input columns pass through, detections are
/// computed in batches as a cursor moves.
/// </summary>
sealed class DetrScoredDataView : IDataView
{
    readonly IDataView _input;
    readonly DetrScoringTransformer _parent;
    readonly int _imageColumn;

    public DetrScoredDataView(IDataView input, DetrScoringTransformer parent)
    {
        _input = input;
        _parent = parent;
        _imageColumn = DetrOutputSchema.FindImageColumn(input.Schema, parent.Model.Options.ImageColumnName);
        Schema = DetrOutputSchema.Build(input.Schema, parent.Model.Options, parent.Model.LabelNames);
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int inputCount = _input.Schema.Count;
        var needed = columnsNeeded.ToArray();
        var passThrough = needed.Where(c => c.Index < inputCount).Select(c => _input.Schema[c.Index]);
        bool scoring = needed.Any(c => c.Index >= inputCount);
        var main = _input.GetRowCursor(passThrough);
        DataViewRowCursor? lookahead = null;
        if (scoring)
        {
            var lookaheadColumns = new List<DataViewSchema.Column> { _input.Schema[_imageColumn] };
            if (DetrImageReader.PathColumn(_input.Schema) is int path)
                lookaheadColumns.Add(_input.Schema[path]);
            lookahead = _input.GetRowCursor(lookaheadColumns);
        }
        return new Cursor(this, main, lookahead, needed.Select(c => c.Index).ToHashSet());
    }

    // Batching reads ahead, so detections come from a second cursor over the same rows; IDataView cursors are
    // repeatable, which keeps both in step. One cursor suffices: ONNX Runtime already uses every core per batch.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    sealed class Cursor : DataViewRowCursor
    {
        readonly DetrScoredDataView _view;
        readonly DataViewRowCursor _main;
        readonly DataViewRowCursor? _lookahead;
        readonly HashSet<int> _active;
        readonly DetrImageReader? _reader;
        readonly DetrBatchScorer? _scorer;
        readonly int _inputCount;
        DetrDetections[] _batch = [];
        int _indexInBatch = -1;

        public Cursor(DetrScoredDataView view, DataViewRowCursor main, DataViewRowCursor? lookahead, HashSet<int> active)
        {
            _view = view;
            _main = main;
            _lookahead = lookahead;
            _active = active;
            _inputCount = view._input.Schema.Count;
            if (lookahead is not null)
            {
                var model = view._parent.Model;
                _reader = new DetrImageReader(lookahead, view._imageColumn, model.Options, view._parent.Warn);
                _scorer = model.CreateScorer();
            }
        }

        public override DataViewSchema Schema => _view.Schema;

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
            var options = _view._parent.Model.Options;
            var images = new List<RgbImage?>(options.BatchSize);
            while (images.Count < options.BatchSize && _lookahead!.MoveNext())
                images.Add(_reader!.Read());
            if (images.Count == 0)
                throw new InvalidOperationException("The input data view returned fewer rows on a second pass; DETR scoring needs repeatable cursors.");
            _batch = _scorer!.Score(images, options.ScoreThreshold, options.MaxDetections);
        }

        DetrDetections Current() => _indexInBatch >= 0 && _indexInBatch < _batch.Length
            ? _batch[_indexInBatch]
            : throw new InvalidOperationException("Move the cursor to a row before reading detections.");

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            if (column.Index < _inputCount)
                return _main.GetGetter<TValue>(_main.Schema[column.Index]);
            return DetrPredictionGetters.Create<TValue>(column.Index - _inputCount, Current, column.Name);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _main.Dispose();
                _lookahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
