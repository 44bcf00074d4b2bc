//! Source files and byte spans.
//!
//! Every diagnostic points into a file held by the [`SourceMap`].
//! Spans are byte ranges; line and column numbers are computed on demand,
//! lines 1-based and columns 1-based counted in Unicode scalar values (characters),
//! which is what editors and SARIF viewers expect.

use std::ops::Range;

/// Identifies one file inside a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range inside one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        let start = u32::try_from(range.start).unwrap_or(u32::MAX);
        let end = u32::try_from(range.end.max(range.start)).unwrap_or(u32::MAX);
        Span { file, start, end }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One loaded file: its display name, its text and the byte offset of each line start.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(name: String, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
        SourceFile {
            name,
            text,
            line_starts,
        }
    }

    /// The 0-based line index that contains `byte_offset`.
    pub fn line_index(&self, byte_offset: usize) -> usize {
        match self.line_starts.binary_search(&byte_offset) {
            Ok(line) => line,
            Err(next_line) => next_line - 1,
        }
    }

    pub fn line_range(&self, line_index: usize) -> Range<usize> {
        let start = self.line_starts[line_index.min(self.line_starts.len() - 1)];
        let end = self.line_starts.get(line_index + 1).copied().unwrap_or(self.text.len());
        start..end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, byte_offset: usize) -> (usize, usize) {
        let byte_offset = self.clamp_to_char_boundary(byte_offset);
        let line_index = self.line_index(byte_offset);
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..byte_offset].chars().count() + 1;
        (line_index + 1, column)
    }

    fn clamp_to_char_boundary(&self, byte_offset: usize) -> usize {
        let mut offset = byte_offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// All files of one run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4 billion files"));
        self.files.push(SourceFile::new(name.into(), text.into()));
        id
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// 1-based (line, column) of the start of a span.
    pub fn start_line_column(&self, span: Span) -> (usize, usize) {
        self.file(span.file).line_column(span.start as usize)
    }

    /// 1-based (line, column) of the end of a span.
    pub fn end_line_column(&self, span: Span) -> (usize, usize) {
        self.file(span.file).line_column(span.end as usize)
    }
}

impl<'a> codespan_reporting::files::Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files
            .get(id.0 as usize)
            .map(|file| file.name.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files
            .get(id.0 as usize)
            .map(|file| file.text.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, codespan_reporting::files::Error> {
        let file = self
            .files
            .get(id.0 as usize)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        Ok(file.line_index(byte_index.min(file.text.len())))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let file = self
            .files
            .get(id.0 as usize)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        if line_index >= file.line_count() {
            return Err(codespan_reporting::files::Error::LineTooLarge {
                given: line_index,
                max: file.line_count() - 1,
            });
        }
        Ok(file.line_range(line_index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let mut source_map = SourceMap::new();
        let id = source_map.add("a.yaml", "name: é\nx: 1\n");
        let file = source_map.file(id);
        assert_eq!(file.line_column(0), (1, 1));
        // `é` is two bytes; the character after it is column 8.
        assert_eq!(file.line_column(8), (1, 8));
        assert_eq!(file.line_column(9), (2, 1));
        assert_eq!(file.line_column(12), (2, 4));
    }
}
