//! The rooms an attempt or a claim takes: (instance, room taken) for each instance it runs on.
//!
//! A container job takes room on one instance, so the one-instance case is kept inline: a
//! `Vec` there was a heap allocation and a free for every EC2/SPOT placement (and one more
//! for each claimed job moving to READY room). A multi-node job's rooms (one instance per
//! node) stay in a vector; Fargate attempts take none.

use crate::model::Resources;
use std::ops::Deref;

/// One instance and the room taken on it.
pub type Room = (u32, Resources);

/// The rooms of an attempt or a claim, read as a slice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rooms {
    /// One instance (a container job on EC2/SPOT).
    One(Room),
    /// Any number (none on Fargate, one per node for a multi-node job).
    Many(Vec<Room>),
}

impl Default for Rooms {
    /// No room (Fargate).
    fn default() -> Rooms {
        Rooms::Many(Vec::new())
    }
}

impl Deref for Rooms {
    type Target = [Room];

    #[inline]
    fn deref(&self) -> &[Room] {
        match self {
            Rooms::One(room) => std::slice::from_ref(room),
            Rooms::Many(rooms) => rooms,
        }
    }
}

impl From<Vec<Room>> for Rooms {
    fn from(rooms: Vec<Room>) -> Rooms {
        Rooms::Many(rooms)
    }
}

impl<'a> IntoIterator for &'a Rooms {
    type Item = &'a Room;
    type IntoIter = std::slice::Iter<'a, Room>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_many_and_none_read_as_slices() {
        let r = Resources::new(1.0, 2048);
        let one = Rooms::One((7, r));
        assert_eq!(&one[..], &[(7, r)]);
        assert_eq!(one.len(), 1);
        let many = Rooms::from(vec![(1, r), (2, r)]);
        assert_eq!(many.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 2]);
        assert!(Rooms::default().is_empty());
        assert_eq!((&one).into_iter().count(), 1);
        assert_ne!(one, Rooms::from(vec![(7, r)]), "the forms differ, the slices agree");
        assert_eq!(&one[..], &Rooms::from(vec![(7, r)])[..]);
    }
}
