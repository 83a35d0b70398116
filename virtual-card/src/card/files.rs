//! What an application's EFs hold and who may read them: the one file model every
//! application of the virtual card uses.

use kazashi::pin::PinKind;

/// Which application a file or secret belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppId {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    CardInfo,
    /// 券面事項確認AP.
    CardSurface,
    /// 住基AP: selectable, no files here.
    Resident,
    /// 共通カードAP: selectable, no files here.
    Common,
}

/// Who may read a data EF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone.
    Free,
    /// Any one of these secrets (FIDs in the same application) verified; `6982` otherwise.
    AnyOf(&'static [u16]),
}

/// What lives in one EF.
pub(crate) enum FileContent {
    /// A transparent EF.
    Data { bytes: Vec<u8>, access: Access },
    /// A PIN or other secret (key reference): VERIFY and CHANGE REFERENCE DATA name it.
    Secret,
    /// A private key (JPKI only): COMPUTE DIGITAL SIGNATURE names it.
    Key(PinKind),
}

/// The EFs of one application.
#[derive(Default)]
pub(crate) struct Files(Vec<(u16, FileContent)>);

impl Files {
    pub(crate) fn add(&mut self, fid: u16, content: FileContent) {
        self.0.push((fid, content));
    }

    pub(crate) fn get(&self, fid: u16) -> Option<&FileContent> {
        self.0.iter().find(|(f, _)| *f == fid).map(|(_, c)| c)
    }

    /// The bytes of a data EF, whatever its access rule.
    pub(crate) fn bytes(&self, fid: u16) -> Option<&[u8]> {
        match self.get(fid) {
            Some(FileContent::Data { bytes, .. }) => Some(bytes),
            _ => None,
        }
    }
}

pub(crate) fn data(bytes: Vec<u8>, access: Access) -> FileContent {
    FileContent::Data { bytes, access }
}
