//! The extractors a service's handlers take: [`SignedIn`], [`ProvenIdentity`] and
//! [`ReturnCode`]. Each finds the kit in the service's state through [`FromRef`]; as an
//! `Option<...>` each gives `None` where the plain one would refuse.

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use crate::OneLogin;
use crate::error::{Error, Result};
use crate::identity::{CoreIdentity, DrivingPermit, Passport, PostalAddress};
use crate::sessions::SignedIn;

async fn signed_in<S>(parts: &Parts, state: &S) -> Result<Option<SignedIn>>
where
    OneLogin: FromRef<S>,
{
    let kit = OneLogin::from_ref(state);
    Ok(kit
        .signed_in(&parts.headers, kit.now())
        .await?
        .and_then(|(_, session)| {
            let mut user = session.user?;
            user.csrf_token = session.csrf;
            Some(user)
        }))
}

/// The signed-in citizen; refused (a redirect to sign in) when there is none.
impl<S> FromRequestParts<S> for SignedIn
where
    OneLogin: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        signed_in(parts, state).await?.ok_or(Error::NotSignedIn)
    }
}

impl<S> OptionalFromRequestParts<S> for SignedIn
where
    OneLogin: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>> {
        signed_in(parts, state).await
    }
}

/// The citizen's proven identity: the core identity JWT, verified at the callback against the
/// provider's DID document (signature, issuer, audience, `sub`, `vot`, expiry), with the
/// address and documents userinfo gave beside it.
#[derive(Debug, Clone)]
pub struct ProvenIdentity {
    pub core: CoreIdentity,
    pub address: Option<PostalAddress>,
    pub driving_permit: Option<DrivingPermit>,
    pub passport: Option<Passport>,
}

impl ProvenIdentity {
    fn of(user: SignedIn) -> Result<ProvenIdentity> {
        match user.identity {
            Some(core) => Ok(ProvenIdentity {
                core,
                address: user.address,
                driving_permit: user.driving_permit,
                passport: user.passport,
            }),
            None => Err(Error::IdentityNotProven(user.return_codes)),
        }
    }
}

/// Refused when not signed in (a redirect to sign in) or not proven (403, with the return
/// codes when the provider gave some).
impl<S> FromRequestParts<S> for ProvenIdentity
where
    OneLogin: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        ProvenIdentity::of(signed_in(parts, state).await?.ok_or(Error::NotSignedIn)?)
    }
}

impl<S> OptionalFromRequestParts<S> for ProvenIdentity
where
    OneLogin: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>> {
        Ok(signed_in(parts, state)
            .await?
            .and_then(|user| ProvenIdentity::of(user).ok()))
    }
}

/// Why the provider could not prove the citizen's identity (`returnCode` claim), e.g. `["C"]`;
/// empty when it gave none. The service shows its own page and support reference for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCode(pub Vec<String>);

impl<S> FromRequestParts<S> for ReturnCode
where
    OneLogin: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let user = signed_in(parts, state).await?.ok_or(Error::NotSignedIn)?;
        Ok(ReturnCode(user.return_codes))
    }
}
