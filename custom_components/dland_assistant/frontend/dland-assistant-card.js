// dland assistant: Mission Control card. Built from frontend/src by frontend/build.mjs; do not edit.
var se=Object.defineProperty;var ie=(i,e,t)=>e in i?se(i,e,{enumerable:!0,configurable:!0,writable:!0,value:t}):i[e]=t;var m=(i,e,t)=>ie(i,typeof e!="symbol"?e+"":e,t);var j=globalThis,W=j.ShadowRoot&&(j.ShadyCSS===void 0||j.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,dt=Symbol(),xt=new WeakMap,N=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==dt)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(W&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=xt.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&xt.set(t,e))}return e}toString(){return this.cssText}},At=i=>new N(typeof i=="string"?i:i+"",void 0,dt),V=(i,...e)=>{let t=i.length===1?i[0]:e.reduce((s,n,r)=>s+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(n)+i[r+1],i[0]);return new N(t,i,dt)},St=(i,e)=>{if(W)i.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),n=j.litNonce;n!==void 0&&s.setAttribute("nonce",n),s.textContent=t.cssText,i.appendChild(s)}},ct=W?i=>i:i=>i instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return At(t)})(i):i;var{is:ne,defineProperty:re,getOwnPropertyDescriptor:oe,getOwnPropertyNames:ae,getOwnPropertySymbols:le,getPrototypeOf:de}=Object,F=globalThis,Et=F.trustedTypes,ce=Et?Et.emptyScript:"",he=F.reactiveElementPolyfillSupport,R=(i,e)=>i,ht={toAttribute(i,e){switch(e){case Boolean:i=i?ce:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,e){let t=i;switch(e){case Boolean:t=i!==null;break;case Number:t=i===null?null:Number(i);break;case Object:case Array:try{t=JSON.parse(i)}catch{t=null}}return t}},Ct=(i,e)=>!ne(i,e),kt={attribute:!0,type:String,converter:ht,reflect:!1,useDefault:!1,hasChanged:Ct};Symbol.metadata??=Symbol("metadata"),F.litPropertyMetadata??=new WeakMap;var v=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=kt){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),n=this.getPropertyDescriptor(e,s,t);n!==void 0&&re(this.prototype,e,n)}}static getPropertyDescriptor(e,t,s){let{get:n,set:r}=oe(this.prototype,e)??{get(){return this[t]},set(o){this[t]=o}};return{get:n,set(o){let d=n?.call(this);r?.call(this,o),this.requestUpdate(e,d,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??kt}static _$Ei(){if(this.hasOwnProperty(R("elementProperties")))return;let e=de(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(R("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(R("properties"))){let t=this.properties,s=[...ae(t),...le(t)];for(let n of s)this.createProperty(n,t[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,n]of t)this.elementProperties.set(s,n)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let n=this._$Eu(t,s);n!==void 0&&this._$Eh.set(n,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let n of s)t.unshift(ct(n))}else e!==void 0&&t.push(ct(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return St(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),n=this.constructor._$Eu(e,s);if(n!==void 0&&s.reflect===!0){let r=(s.converter?.toAttribute!==void 0?s.converter:ht).toAttribute(t,s.type);this._$Em=e,r==null?this.removeAttribute(n):this.setAttribute(n,r),this._$Em=null}}_$AK(e,t){let s=this.constructor,n=s._$Eh.get(e);if(n!==void 0&&this._$Em!==n){let r=s.getPropertyOptions(n),o=typeof r.converter=="function"?{fromAttribute:r.converter}:r.converter?.fromAttribute!==void 0?r.converter:ht;this._$Em=n;let d=o.fromAttribute(t,r.type);this[n]=d??this._$Ej?.get(n)??d,this._$Em=null}}requestUpdate(e,t,s,n=!1,r){if(e!==void 0){let o=this.constructor;if(n===!1&&(r=this[e]),s??=o.getPropertyOptions(e),!((s.hasChanged??Ct)(r,t)||s.useDefault&&s.reflect&&r===this._$Ej?.get(e)&&!this.hasAttribute(o._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:n,wrapped:r},o){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,o??t??this[e]),r!==!0||o!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),n===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[n,r]of this._$Ep)this[n]=r;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[n,r]of s){let{wrapped:o}=r,d=this[n];o!==!0||this._$AL.has(n)||d===void 0||this.C(n,void 0,r,d)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};v.elementStyles=[],v.shadowRootOptions={mode:"open"},v[R("elementProperties")]=new Map,v[R("finalized")]=new Map,he?.({ReactiveElement:v}),(F.reactiveElementVersions??=[]).push("2.1.2");var pt=globalThis,Tt=i=>i,K=pt.trustedTypes,Ot=K?K.createPolicy("lit-html",{createHTML:i=>i}):void 0,_t="$lit$",b=`lit$${Math.random().toFixed(9).slice(2)}$`,mt="?"+b,ue=`<${mt}>`,S=document,M=()=>S.createComment(""),z=i=>i===null||typeof i!="object"&&typeof i!="function",ft=Array.isArray,zt=i=>ft(i)||typeof i?.[Symbol.iterator]=="function",ut=`[ 	
\f\r]`,U=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Pt=/-->/g,Nt=/>/g,x=RegExp(`>|${ut}(?:([^\\s"'>=/]+)(${ut}*=${ut}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Rt=/'/g,Ut=/"/g,Dt=/^(?:script|style|textarea|title)$/i,$t=i=>(e,...t)=>({_$litType$:i,strings:e,values:t}),a=$t(1),Me=$t(2),ze=$t(3),E=Symbol.for("lit-noChange"),l=Symbol.for("lit-nothing"),Mt=new WeakMap,A=S.createTreeWalker(S,129);function Ht(i,e){if(!ft(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return Ot!==void 0?Ot.createHTML(e):e}var Lt=(i,e)=>{let t=i.length-1,s=[],n,r=e===2?"<svg>":e===3?"<math>":"",o=U;for(let d=0;d<t;d++){let c=i[d],p,h,u=-1,g=0;for(;g<c.length&&(o.lastIndex=g,h=o.exec(c),h!==null);)g=o.lastIndex,o===U?h[1]==="!--"?o=Pt:h[1]!==void 0?o=Nt:h[2]!==void 0?(Dt.test(h[2])&&(n=RegExp("</"+h[2],"g")),o=x):h[3]!==void 0&&(o=x):o===x?h[0]===">"?(o=n??U,u=-1):h[1]===void 0?u=-2:(u=o.lastIndex-h[2].length,p=h[1],o=h[3]===void 0?x:h[3]==='"'?Ut:Rt):o===Ut||o===Rt?o=x:o===Pt||o===Nt?o=U:(o=x,n=void 0);let w=o===x&&i[d+1].startsWith("/>")?" ":"";r+=o===U?c+ue:u>=0?(s.push(p),c.slice(0,u)+_t+c.slice(u)+b+w):c+b+(u===-2?d:w)}return[Ht(i,r+(i[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},D=class i{constructor({strings:e,_$litType$:t},s){let n;this.parts=[];let r=0,o=0,d=e.length-1,c=this.parts,[p,h]=Lt(e,t);if(this.el=i.createElement(p,s),A.currentNode=this.el.content,t===2||t===3){let u=this.el.content.firstChild;u.replaceWith(...u.childNodes)}for(;(n=A.nextNode())!==null&&c.length<d;){if(n.nodeType===1){if(n.hasAttributes())for(let u of n.getAttributeNames())if(u.endsWith(_t)){let g=h[o++],w=n.getAttribute(u).split(b),I=/([.?@])?(.*)/.exec(g);c.push({type:1,index:r,name:I[2],strings:w,ctor:I[1]==="."?Z:I[1]==="?"?J:I[1]==="@"?G:C}),n.removeAttribute(u)}else u.startsWith(b)&&(c.push({type:6,index:r}),n.removeAttribute(u));if(Dt.test(n.tagName)){let u=n.textContent.split(b),g=u.length-1;if(g>0){n.textContent=K?K.emptyScript:"";for(let w=0;w<g;w++)n.append(u[w],M()),A.nextNode(),c.push({type:2,index:++r});n.append(u[g],M())}}}else if(n.nodeType===8)if(n.data===mt)c.push({type:2,index:r});else{let u=-1;for(;(u=n.data.indexOf(b,u+1))!==-1;)c.push({type:7,index:r}),u+=b.length-1}r++}}static createElement(e,t){let s=S.createElement("template");return s.innerHTML=e,s}};function k(i,e,t=i,s){if(e===E)return e;let n=s!==void 0?t._$Co?.[s]:t._$Cl,r=z(e)?void 0:e._$litDirective$;return n?.constructor!==r&&(n?._$AO?.(!1),r===void 0?n=void 0:(n=new r(i),n._$AT(i,t,s)),s!==void 0?(t._$Co??=[])[s]=n:t._$Cl=n),n!==void 0&&(e=k(i,n._$AS(i,e.values),n,s)),e}var Y=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,n=(e?.creationScope??S).importNode(t,!0);A.currentNode=n;let r=A.nextNode(),o=0,d=0,c=s[0];for(;c!==void 0;){if(o===c.index){let p;c.type===2?p=new O(r,r.nextSibling,this,e):c.type===1?p=new c.ctor(r,c.name,c.strings,this,e):c.type===6&&(p=new Q(r,this,e)),this._$AV.push(p),c=s[++d]}o!==c?.index&&(r=A.nextNode(),o++)}return A.currentNode=S,n}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},O=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,n){this.type=2,this._$AH=l,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=n,this._$Cv=n?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=k(this,e,t),z(e)?e===l||e==null||e===""?(this._$AH!==l&&this._$AR(),this._$AH=l):e!==this._$AH&&e!==E&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):zt(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==l&&z(this._$AH)?this._$AA.nextSibling.data=e:this.T(S.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,n=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=D.createElement(Ht(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===n)this._$AH.p(t);else{let r=new Y(n,this),o=r.u(this.options);r.p(t),this.T(o),this._$AH=r}}_$AC(e){let t=Mt.get(e.strings);return t===void 0&&Mt.set(e.strings,t=new D(e)),t}k(e){ft(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,n=0;for(let r of e)n===t.length?t.push(s=new i(this.O(M()),this.O(M()),this,this.options)):s=t[n],s._$AI(r),n++;n<t.length&&(this._$AR(s&&s._$AB.nextSibling,n),t.length=n)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=Tt(e).nextSibling;Tt(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},C=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,n,r){this.type=1,this._$AH=l,this._$AN=void 0,this.element=e,this.name=t,this._$AM=n,this.options=r,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=l}_$AI(e,t=this,s,n){let r=this.strings,o=!1;if(r===void 0)e=k(this,e,t,0),o=!z(e)||e!==this._$AH&&e!==E,o&&(this._$AH=e);else{let d=e,c,p;for(e=r[0],c=0;c<r.length-1;c++)p=k(this,d[s+c],t,c),p===E&&(p=this._$AH[c]),o||=!z(p)||p!==this._$AH[c],p===l?e=l:e!==l&&(e+=(p??"")+r[c+1]),this._$AH[c]=p}o&&!n&&this.j(e)}j(e){e===l?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},Z=class extends C{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===l?void 0:e}},J=class extends C{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==l)}},G=class extends C{constructor(e,t,s,n,r){super(e,t,s,n,r),this.type=5}_$AI(e,t=this){if((e=k(this,e,t,0)??l)===E)return;let s=this._$AH,n=e===l&&s!==l||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,r=e!==l&&(s===l||n);n&&this.element.removeEventListener(this.name,this,s),r&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},Q=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){k(this,e)}},Bt={M:_t,P:b,A:mt,C:1,L:Lt,R:Y,D:zt,V:k,I:O,H:C,N:J,U:G,B:Z,F:Q},pe=pt.litHtmlPolyfillSupport;pe?.(D,O),(pt.litHtmlVersions??=[]).push("3.3.3");var qt=(i,e,t)=>{let s=t?.renderBefore??e,n=s._$litPart$;if(n===void 0){let r=t?.renderBefore??null;s._$litPart$=n=new O(e.insertBefore(M(),r),r,void 0,t??{})}return n._$AI(i),n};var gt=globalThis,f=class extends v{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=qt(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return E}};f._$litElement$=!0,f.finalized=!0,gt.litElementHydrateSupport?.({LitElement:f});var _e=gt.litElementPolyfillSupport;_e?.({LitElement:f});(gt.litElementVersions??=[]).push("4.2.2");var It=i=>(...e)=>({_$litDirective$:i,values:e}),X=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,s){this._$Ct=e,this._$AM=t,this._$Ci=s}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}};var{I:Ge}=Bt;var me={},jt=(i,e=me)=>i._$AH=e;var Wt=It(class extends X{constructor(){super(...arguments),this.key=l}render(i,e){return this.key=i,e}update(i,[e,t]){return e!==this.key&&(jt(i),this.key=e),t}});var fe=i=>{let e=i?.locale||{},t=e.time_format==="system"?void 0:e.language||i?.language,s=e.time_format==="12"?!0:e.time_format==="24"?!1:void 0,n=e.time_zone==="local"?void 0:i?.config?.time_zone;return{language:t,hour12:s,timeZone:n}},tt=(i,e)=>{if(!i)return"\u2013";let{language:t,hour12:s,timeZone:n}=fe(e),r=new Date(i),o=p=>new Intl.DateTimeFormat("en-CA",{timeZone:n,year:"numeric",month:"2-digit",day:"2-digit"}).format(p),d={hour:"2-digit",minute:"2-digit",hour12:s,timeZone:n};if(o(r)===o(new Date))return r.toLocaleTimeString(t,d);let c=o(r).slice(0,4)===o(new Date).slice(0,4);return r.toLocaleString(t,{...d,month:"short",day:"numeric",...c?{}:{year:"numeric"}})},Vt=(i,e)=>new Date(Date.UTC(2023,0,1+Number(i))).toLocaleDateString(e?.locale?.language||e?.language,{weekday:"short",timeZone:"UTC"});var et="dland_assistant",st=async i=>{await i.loadBackendTranslation("selector",et);let e=await i.loadBackendTranslation("common",et),t=(s,n)=>e(`component.${et}.common.${s}`,n)||s;return t.option=(s,n)=>e(`component.${et}.selector.${s}.options.${n}`)||n,t};var Ft=(i,{t:e,at:t})=>{if(!i)return a`<div class="loading"><ha-spinner size="tiny"></ha-spinner>${e("loading")}</div>`;if(i.failed)return a`<div class="error">${i.failed}</div>`;let s=(d,c)=>c?a`<dt>${e(d)}</dt><dd>${c}</dd>`:l,n=i.tool_calls?.calls||[],r=n.length?a`<ol class="tools">${n.map(d=>a`<li class="tool ${d.error?"error":""}">
          <code>${d.tool}</code> <span class="arguments">${d.arguments}</span>
          → <span class="result">${d.result||""}</span></li>`)}</ol>
        ${i.tool_calls.dropped?a`<div class="muted">${e("more_tools",{count:i.tool_calls.dropped})}</div>`:l}`:a`<span class="muted">${e("no_tools")}</span>`,o=i.delivery?`${i.delivery.channel}${i.delivery.target?` \u2192 ${i.delivery.target}`:""}: ${i.delivery.status}${i.delivery.error?` (${i.delivery.error})`:""}`:"";return a`<dl>
    ${s("details_answer",i.response?a`<div class="answer">${i.response}</div>`:"")}
    ${s("details_error",i.error?a`<span class="error">${i.error}</span>`:"")}
    ${s("details_acted_as",`${i.acting_user_name||i.acting_user||"\u2014"} (${e(`trust_${i.trust}`)})`)}
    ${s("details_origin",[i.source,i.origin].filter(Boolean).join(" \xB7 "))}
    ${s("details_attempt",i.next_attempt?e("attempt_next",{attempt:i.attempt,time:t(i.next_attempt)}):String(i.attempt))}
    ${s("details_delivered",o)}
    ${s("details_tools",r)}
  </dl>`};var Kt={succeeded:"var(--success-color, #43a047)",failed:"var(--error-color, #db4437)",timed_out:"var(--warning-color, #ffa600)",abandoned:"var(--warning-color, #ffa600)",cancelled:"var(--secondary-text-color, #727272)",skipped:"var(--secondary-text-color, #727272)",quiet:"var(--secondary-text-color, #727272)",in_progress:"var(--info-color, #039be5)",scheduled:"var(--info-color, #039be5)",paused:"var(--secondary-text-color, #727272)",running:"var(--info-color, #039be5)"},Yt={closed:"var(--success-color, #43a047)",half_open:"var(--warning-color, #ffa600)",open:"var(--error-color, #db4437)"},Zt=V`
  ha-card { padding: 16px; }
  .header { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
  .title { font-size: 1.2em; font-weight: 500; flex: 1; }
  .chip { border-radius: 12px; padding: 2px 10px; color: #fff; font-size: 0.85em; }
  .stat { color: var(--secondary-text-color); font-size: 0.9em; }
  h3 { margin: 16px 0 4px; font-size: 1em; font-weight: 500; }
  table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
  th { text-align: left; color: var(--secondary-text-color); font-weight: 400; }
  td, th { padding: 4px 6px 4px 0; vertical-align: top; }
  tr + tr td { border-top: 1px solid var(--divider-color, #e0e0e0); }
  .badge { border-radius: 8px; padding: 1px 6px; color: #fff; font-size: 0.8em; white-space: nowrap; }
  .actions { text-align: right; white-space: nowrap; }
  .actions ha-button { margin: 0 0 2px; }
  .muted { color: var(--secondary-text-color); }
  .preview { color: var(--secondary-text-color); font-size: 0.85em; }
  .empty, .loading { color: var(--secondary-text-color); padding: 4px 0; display: flex; align-items: center; gap: 8px; }
  tr.execution { cursor: pointer; }
  tr.execution:hover { background: rgba(var(--rgb-primary-color, 3, 169, 244), 0.06); }
  tr.execution:focus-visible { outline: 2px solid var(--primary-color); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0 8px; }
  dt { color: var(--secondary-text-color); }
  dd { margin: 0; overflow-wrap: anywhere; }
  .answer { white-space: pre-wrap; }
  .error { color: var(--error-color, #db4437); }
  ol.tools { margin: 0; padding-left: 1.2em; }
  .arguments, .result { font-family: var(--ha-font-family-code, monospace); font-size: 0.85em; }
  .toolbar { display: flex; justify-content: flex-end; gap: 4px; }
  @media (max-width: 600px) {
    td:nth-child(2), th:nth-child(2) { display: none; }
    .actions { white-space: normal; }
  }
`,Jt=V`
  .editor { display: flex; flex-direction: column; gap: 12px; }
  .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
  .row > * { flex: 1 1 180px; min-width: 0; }
  .row > .narrow { flex: 0 1 140px; }
  .field-error { color: var(--error-color, #db4437); font-size: 0.85em; }
  .field-error:empty { display: none; }
  .days { display: flex; flex-wrap: wrap; gap: 4px; }
  .preview-when { color: var(--primary-text-color); font-size: 0.95em; }
  .schedule-text { font-weight: 500; }
  .next-runs { color: var(--secondary-text-color); font-size: 0.85em; margin: 4px 0 0; padding-left: 1.2em; }
  ha-formfield { display: block; }
  ha-selector, ha-input { display: block; }
`;var $e=4e3,Gt={executions:10},P=class extends f{constructor(){super(...arguments);m(this,"_at",t=>tt(t,this.hass))}static getStubConfig(){return{...Gt}}static getConfigElement(){return document.createElement("dland-assistant-card-editor")}setConfig(t){this._config={...Gt,...t}}getCardSize(){return 3+(this._view?this._view.tasks.length+this._config.executions:4)}connectedCallback(){super.connectedCallback(),this.hass&&this._subscribe()}disconnectedCallback(){super.disconnectedCallback(),this._unsubscribe?.then(t=>t()).catch(()=>{}),this._unsubscribe=void 0}willUpdate(t){!t.has("hass")||!this.hass||(this.hass.language!==this._language&&(this._language=this.hass.language,st(this.hass).then(s=>{this._t=s}),this._unsubscribe?.then(s=>s()).catch(()=>{}),this._unsubscribe=void 0),this._unsubscribe||this._subscribe())}_subscribe(){this._unsubscribe||!this.hass?.connection||(this._unsubscribe=this.hass.connection.subscribeMessage(t=>{this._view=t,this._error=void 0},{type:"dland_assistant/subscribe",language:this.hass.language}),this._unsubscribe.catch(t=>{this._error=t.message||String(t),this._unsubscribe=void 0}))}render(){if(!this._config)return l;let t=this._t,s;return this._error?s=a`<ha-alert alert-type="error" class="error">${this._error}</ha-alert>`:!this._view||!t?s=a`<div class="loading"><ha-spinner size="small"></ha-spinner></div>`:s=this._content(this._view,t),a`<ha-card>${s}${this._editor()}</ha-card>`}_badge(t){return t?a`<span class="badge" data-status=${t}
      style="background:${Kt[t]||"#888"}">${this._statusLabel(t)}</span>`:l}_statusLabel(t){let s=this._t;return t==="paused"?s("paused"):t==="in_progress"||!["scheduled","running","missed"].includes(t)?s.option("execution_status",t):s.option("task_status",t)}_button(t,s,{key:n=s,variant:r,title:o}={}){let d=this._confirm===n;return a`<ha-button size="s" appearance=${d?"filled":"plain"}
      variant=${d?"danger":r||"brand"} title=${o||l}
      ?disabled=${this._busy===n} @click=${()=>this._act(n,s)}>${t}</ha-button>`}async _act(t,s){if(s.confirm&&this._confirm!==t){this._confirm=t,clearTimeout(this._confirmTimer),this._confirmTimer=setTimeout(()=>{this._confirm=void 0},$e);return}this._confirm=void 0,this._busy=t;try{await s.run()}catch(n){this._error=n.message||String(n)}finally{this._busy=void 0}}_service(t,s){return{run:()=>this.hass.callService("dland_assistant",t,s)}}_content(t,s){let n=t.breaker.state,r=Object.entries(t.breaker.agents||{}).filter(([,d])=>d.state!=="closed").map(([d,c])=>`${d}: ${s(`breaker_${c.state}`)}`),o=this._config.executions;return a`
      <div class="header">
        <div class="title">${this._config.title||s("card_title")}</div>
        <span class="chip breaker" data-state=${n} style="background:${Yt[n]}"
          title=${r.join(", ")||s("breaker_all_closed")}>
          ${s("breaker",{state:s(`breaker_${n}`)})}${r.length?` (${r.length})`:""}</span>
        <span class="stat">${s("stats",{running:t.running,failed:t.failed_24h})}</span>
      </div>
      <div class="toolbar">
        <ha-button size="s" appearance="filled" @click=${()=>this._edit("task")}>${s("new_task")}</ha-button>
        ${t.admin?a`<ha-button size="s" appearance="outlined"
          @click=${()=>this._edit("routine")}>${s("new_routine")}</ha-button>`:l}
      </div>
      <h3>${s("tasks")}</h3>
      ${t.tasks.length?a`<table>
        <tr><th>${s("column_task")}</th><th>${s("column_schedule")}</th><th>${s("column_next_run")}</th>
          <th>${s("column_status")}</th><th></th></tr>
        ${t.tasks.map(d=>this._taskRow(d,s))}</table>`:a`<div class="empty">${s("no_tasks")}</div>`}
      ${t.routines.length?a`<h3>${s("routines")}</h3><table>
        <tr><th>${s("column_routine")}</th><th>${s("column_schedule")}</th><th>${s("column_next_run")}</th>
          <th>${s("column_last")}</th><th></th></tr>
        ${t.routines.map(d=>this._routineRow(d,s))}</table>`:l}
      <h3>${s("recent_runs")}</h3>
      ${t.executions.length?a`<table>
        ${t.executions.slice(0,o).map(d=>this._runRows(d,s))}</table>`:a`<div class="empty">${s("no_runs")}</div>`}`}_taskRow(t,s){let n=t.task_id,r=t.status==="running"?"running":t.enabled?t.last_status||t.status:"paused";return a`<tr class="task" data-task-id=${n}>
      <td>${t.name}<div class="muted">${t.agent}</div></td>
      <td>${t.schedule}</td>
      <td>${t.enabled?this._at(t.next_run):a`<span class="muted">${s("paused")}</span>`}</td>
      <td>${this._badge(r)}</td>
      <td class="actions">
        ${this._button(s("run"),this._service("run_task",{task_id:n}),{key:`run:${n}`,title:s("run_now")})}
        ${this._button(t.enabled?s("pause"):s("resume"),this._service("set_task_enabled",{task_id:n,enabled:!t.enabled}),{key:`pause:${n}`})}
        <ha-button size="s" appearance="plain" @click=${()=>this._edit("task",t)}>${s("edit")}</ha-button>
        ${this._button(this._confirm===`cancel:${n}`?s("cancel_confirm"):s("cancel"),{...this._service("cancel_task",{task_id:n}),confirm:!0},{key:`cancel:${n}`})}
      </td>
    </tr>`}_routineRow(t,s){let n=t.routine_id,r={confirm:!0,run:()=>this.hass.callWS({type:"config_entries/subentries/delete",entry_id:this._view.entry_id,subentry_id:n})};return a`<tr class="routine" data-routine=${n}>
      <td>${t.name}</td>
      <td>${t.schedule}</td>
      <td>${t.enabled?this._at(t.next_run):a`<span class="muted">${s("off")}</span>`}</td>
      <td>${this._badge(t.last_status)}</td>
      <td class="actions">
        ${this._button(s("run"),this._service("run_routine",{routine:n}),{key:`run-routine:${n}`,title:s("run_now")})}
        ${this._button(t.enabled?s("pause"):s("resume"),this._service("set_routine_enabled",{routine:n,enabled:!t.enabled}),{key:`pause-routine:${n}`})}
        <ha-button size="s" appearance="plain" @click=${()=>this._edit("routine",t)}>${s("edit")}</ha-button>
        ${t.builtin?l:this._button(this._confirm===`delete:${n}`?s("delete_confirm"):s("delete"),r,{key:`delete:${n}`})}
      </td>
    </tr>`}_runRows(t,s){let n=this._open===t.execution_id;return a`<tr class="execution" tabindex="0" aria-expanded=${String(n)}
        data-execution-id=${t.execution_id} data-status=${t.status}
        @click=${()=>this._toggle(t.execution_id)}
        @keydown=${r=>(r.key==="Enter"||r.key===" ")&&this._toggle(t.execution_id)}>
      <td>${this._badge(t.status)}</td>
      <td>${t.name}${t.attempt>1?a` <span class="attempt muted">${s("attempt",{attempt:t.attempt})}</span>`:l}
        <div class="preview">${t.error||t.response}</div>
        ${t.next_attempt?a`<div class="retry muted">${s("retry_at",{time:this._at(t.next_attempt)})}</div>`:l}</td>
      <td>${this._at(t.started)}</td>
      <td>${t.duration==null?"":s("seconds",{seconds:t.duration.toFixed(1)})}</td>
    </tr>
    ${n?a`<tr class="details"><td colspan="4">${Ft(this._details?.execution_id===t.execution_id?this._details:void 0,{t:s,at:this._at})}</td></tr>`:l}`}async _toggle(t){if(this._open=this._open===t?void 0:t,!!this._open)try{this._details=await this.hass.callWS({type:"dland_assistant/execution",execution_id:t})}catch(s){this._details={execution_id:t,failed:s.message||String(s)}}}_edit(t,s){this._editing={kind:t,item:s}}_editor(){if(!this._editing||!this._t)return l;let{kind:t,item:s}=this._editing,n=()=>{this._editing=void 0};return Wt(this._editing,t==="task"?a`<dland-task-editor .hass=${this.hass} .t=${this._t} .item=${s}
          .choices=${this._view.choices} @editor-closed=${n}></dland-task-editor>`:a`<dland-routine-editor .hass=${this.hass} .t=${this._t} .item=${s}
          .choices=${this._view.choices} .entryId=${this._view.entry_id}
          @editor-closed=${n}></dland-routine-editor>`)}};m(P,"properties",{hass:{attribute:!1},_config:{state:!0},_view:{state:!0},_error:{state:!0},_t:{state:!0},_open:{state:!0},_details:{state:!0},_editing:{state:!0},_confirm:{state:!0},_busy:{state:!0}}),m(P,"styles",Zt);var ge=[{name:"title",selector:{text:{}}},{name:"executions",selector:{number:{min:1,max:100,mode:"box"}}}],H=class extends f{setConfig(e){this._config=e}willUpdate(e){e.has("hass")&&this.hass&&this.hass.language!==this._language&&(this._language=this.hass.language,st(this.hass).then(t=>{this._t=t}))}render(){return!this.hass||!this._config||!this._t?l:a`<ha-form .hass=${this.hass} .data=${this._config} .schema=${ge}
      .computeLabel=${e=>this._t(`option_${e.name}`)}
      @value-changed=${this._changed}></ha-form>`}_changed(e){e.stopPropagation(),this._config=e.detail.value,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:this._config},bubbles:!0,composed:!0}))}};m(H,"properties",{hass:{attribute:!1},_config:{state:!0},_t:{state:!0}});var y=class extends f{constructor(){super(),this.errors={},this.saving=!1,this.open=!0}connectedCallback(){super.connectedCallback(),this.data||(this.data={name:this.item?.name||"",...this.initialData(this.item?.form||{})})}set(e,t){this.data={...this.data,[e]:t},this.changed(e)}changed(e){}fieldError(e,t){this.errors={...this.errors,[e]:t}}close(){this.open=!1}render(){return a`<ha-dialog .open=${this.open} header-title=${this.heading()}
        @closed=${this._closed}>
      <form class="editor ${this.formClass}" novalidate @submit=${this._submit}>
        ${this.fields()}
      </form>
      <ha-dialog-footer slot="footer">
        <ha-button slot="secondaryAction" appearance="plain" @click=${()=>this.close()}
          >${this.t("close")}</ha-button>
        <ha-button slot="primaryAction" .loading=${this.saving} ?disabled=${this.saving}
          @click=${this._submit}>${this.t("save")}</ha-button>
      </ha-dialog-footer>
    </ha-dialog>`}async _submit(e){if(e.preventDefault(),!this.saving){this.errors={},this.saving=!0;try{await this.save()&&this.close()}catch(t){this.fieldError("form",t.body?.message||t.message||String(t))}finally{this.saving=!1}}}_closed(e){e.target===e.currentTarget&&this.dispatchEvent(new CustomEvent("editor-closed",{bubbles:!0,composed:!0}))}};m(y,"properties",{hass:{attribute:!1},t:{attribute:!1},item:{attribute:!1},choices:{attribute:!1},data:{state:!0},errors:{state:!0},saving:{state:!0},open:{state:!0}}),m(y,"styles",Jt);var ye=["time","datetime-local"],L=(i,e)=>a`<div class="field-error" data-field=${e}>${i.errors[e]||""}</div>`,_=(i,e,t,{type:s="text",placeholder:n,min:r,max:o}={})=>a`
  <div class="field">
    <ha-input name=${e} type=${s} .label=${t} .value=${String(i.data[e]??"")}
      placeholder=${n??(ye.includes(s)?" ":l)} min=${r??l} max=${o??l}
      @input=${d=>i.set(e,d.target.value)}></ha-input>
    ${L(i,e)}
  </div>`,$=(i,e,t,s,{required:n=!0,custom:r=!1}={})=>a`
  <div class="field">
    <ha-selector name=${e} .hass=${i.hass} .label=${t} .required=${n}
      .selector=${{select:{mode:"dropdown",custom_value:r,options:s.map(([o,d])=>({value:o,label:d}))}}}
      .value=${i.data[e]??(n?s[0]?.[0]:void 0)}
      @value-changed=${o=>i.set(e,o.detail.value??"")}></ha-selector>
    ${L(i,e)}
  </div>`,Qt=(i,e,t)=>a`
  <div class="field">
    <ha-selector name=${e} .hass=${i.hass} .label=${t} .required=${!1}
      .selector=${{entity:{}}} .value=${i.data[e]||void 0}
      @value-changed=${s=>i.set(e,s.detail.value??"")}></ha-selector>
    ${L(i,e)}
  </div>`,it=(i,e,t)=>a`
  <div class="field">
    <ha-selector name=${e} .hass=${i.hass} .label=${t} .required=${!1}
      .selector=${{text:{multiline:!0}}} .value=${i.data[e]??""}
      @value-changed=${s=>i.set(e,s.detail.value??"")}></ha-selector>
    ${L(i,e)}
  </div>`,T=(i,e,t)=>a`
  <ha-formfield .label=${t}>
    <ha-switch name=${e} .checked=${!!i.data[e]}
      @change=${s=>i.set(e,s.target.checked)}></ha-switch>
  </ha-formfield>`,nt=(i,e,t)=>a`
  <div class="row">
    ${$(i,"user",t,e.people.map(s=>[s.id,s.name]),{required:!1})}
    ${$(i,"platform",i.t("field_platform"),e.channels.map(s=>[s,i.t.option("channel",s)]),{required:!1})}
  </div>`,rt=i=>{let e=i.t;return a`<div class="row">
    ${$(i,"missed_run_policy",e("field_missed_run_policy"),["run_once","skip"].map(t=>[t,e.option("missed_run_policy",t)]))}
    ${_(i,"retry_attempts",e("field_retry_attempts"),{type:"number",min:1,max:10,placeholder:e("default")})}
  </div>`},ot=i=>L(i,"form");var yt=i=>(i||"").slice(0,5),ve=["gatherers","calendars","todo_lists","notify_target"],B=class extends y{constructor(){super(...arguments);m(this,"formClass","routine-editor")}initialData(t){return{agent:t.agent||"",enabled:this.item?this.item.enabled:!0,prompt:t.prompt||"",schedule:t.schedule||"interval",interval:t.interval??60,time:yt(t.time)||"07:30",cron:t.cron||"",quiet_start:yt(t.quiet_start),quiet_end:yt(t.quiet_end),user:t.user||"",platform:t.platform||"",deliver:t.deliver!==!1,only_when_needed:!!t.only_when_needed,missed_run_policy:t.missed_run_policy==="skip"?"skip":"run_once",retry_attempts:t.retry_attempts??""}}heading(){return this.item?this.t("edit_routine",{name:this.item.name}):this.t("new_routine")}fields(){let t=this.t,s=this.choices||{agents:[],people:[],channels:[]},n=this.data.schedule;return a`
      <div class="row">
        ${_(this,"name",t("field_name"))}
        ${$(this,"agent",t("field_agent"),s.agents.map(r=>[r,r]),{required:!1,custom:!0})}
      </div>
      ${T(this,"enabled",t("field_enabled"))}
      ${it(this,"prompt",t("field_prompt"))}
      <div class="row">
        ${$(this,"schedule",t("field_runs"),[["interval",t("when_minutes")],["daily",t("when_daily")],["cron",t("when_cron")]])}
        ${n==="interval"?_(this,"interval",t("field_every_minutes"),{type:"number",min:1}):l}
        ${n==="daily"?_(this,"time",t("field_time"),{type:"time"}):l}
        ${n==="cron"?_(this,"cron",t("field_cron"),{placeholder:"0 18 * * 1"}):l}
      </div>
      <div class="row">
        ${_(this,"quiet_start",t("field_quiet_start"),{type:"time"})}
        ${_(this,"quiet_end",t("field_quiet_end"),{type:"time"})}
      </div>
      ${nt(this,s,t("field_routine_user"))}
      ${rt(this)}
      ${T(this,"deliver",t("field_deliver"))}
      ${T(this,"only_when_needed",t("field_only_when_needed"))}
      ${ot(this)}`}async save(){let t=this.data,s=this.item?.form||{},n={name:t.name,enabled:t.enabled,schedule:t.schedule,deliver:t.deliver,only_when_needed:t.only_when_needed,missed_run_policy:t.missed_run_policy};t.retry_attempts!==""&&(n.retry_attempts=Number(t.retry_attempts)),t.schedule==="interval"&&(n.interval=Number(t.interval)),t.schedule==="daily"&&(n.time=`${t.time}:00`),t.schedule==="cron"&&(n.cron=t.cron);for(let h of["agent","prompt","user","platform"])t[h]&&(n[h]=t[h]);for(let h of["quiet_start","quiet_end"])t[h]&&(n[h]=`${t[h]}:00`);for(let h of ve)s[h]!==void 0&&(n[h]=s[h]);let r=this.hass.loadBackendTranslation("config_subentries","dland_assistant"),o=await this.hass.callApi("POST","config/config_entries/subentries/flow",{handler:[this.entryId,"routine"],...this.item?{subentry_id:this.item.routine_id}:{}}),d=await this.hass.callApi("POST",`config/config_entries/subentries/flow/${o.flow_id}`,n);if(d.type!=="form")return!0;let c=await r,p=["name","agent","interval","time","cron","quiet_end","quiet_start","retry_attempts"];for(let[h,u]of Object.entries(d.errors||{})){let g=c(`component.dland_assistant.config_subentries.routine.error.${u}`)||u;this.fieldError(p.includes(h)?h:"form",g)}return await this.hass.callApi("DELETE",`config/config_entries/subentries/flow/${o.flow_id}`),!1}};m(B,"properties",{...y.properties,entryId:{attribute:!1}});var at=["1","2","3","4","5","6","0"],lt=["arrive","leave","done","state","above","below"],Xt=["in","at","daily","weekdays","days","minutes","hours","cron",...lt],be=["on","running","washing","drying","rinsing","spinning","heating","cleaning","busy","active"],we=["invalid_cron","cron_too_long","cron_never_runs","at_in_past","delay_not_positive","schedule_conflict","schedule_missing","time_out_of_range","moment_invalid","moment_too_far","moment_cooldown","moment_quota","moment_needs_when"],bt=i=>we.includes(i)?"when":(i||"").startsWith("prompt")?"prompt":i==="unknown_user"?"user":i==="unknown_channel"?"platform":["unknown_agent","agent_cannot_understand"].includes(i)?"agent":"form",vt=(i,e)=>`${String(i).padStart(2,"0")}:${String(e).padStart(2,"0")}`,xe=i=>{let e;return(e=/^(\d+) (\d+) \* \* \*$/.exec(i))?{kind:"daily",time:vt(e[2],e[1])}:(e=/^(\d+) (\d+) \* \* 1-5$/.exec(i))?{kind:"weekdays",time:vt(e[2],e[1])}:(e=/^(\d+) (\d+) \* \* ([0-6](,[0-6])*)$/.exec(i))?{kind:"days",time:vt(e[2],e[1]),days:e[3].split(",")}:(e=/^\*\/(\d+) \* \* \* \*$/.exec(i))?{kind:"minutes",every:e[1]}:(e=/^0 \*\/(\d+) \* \* \*$/.exec(i))?{kind:"hours",every:e[1]}:{kind:"cron",cron:i}},Ae=i=>{let e=/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(i||"");return e?`${e[1]}T${e[2]}`:""},Se=i=>{switch(i.kind){case"arrive":case"leave":return i.person?{trigger:"zone",entity_id:i.person,zone:i.zone||"zone.home",event:i.kind==="arrive"?"enter":"leave"}:null;case"done":return i.entity?{trigger:"state",entity_id:i.entity,from:be}:null;case"state":return i.entity&&i.state.trim()?{trigger:"state",entity_id:i.entity,to:i.state.trim()}:null;default:return i.entity&&i.value!==""?{trigger:"numeric_state",entity_id:i.entity,[i.kind]:Number(i.value)}:null}},Ee=i=>{let e=Se(i);if(!e)return null;let t={when:e,every_time:!!i.every_time};return i.after&&(t.after=i.after),i.before&&(t.before=i.before),i.until&&(t.until=i.until),i.every_time&&i.cooldown!==""&&(t.cooldown={minutes:Number(i.cooldown)}),t},wt=i=>{if(lt.includes(i.kind))return Ee(i);let[e,t]=(i.time||"07:30").split(":").map(Number);switch(i.kind){case"in":return{in:{minutes:Number(i.minutes)}};case"at":return i.at?{at:i.at}:null;case"daily":return{cron:`${t} ${e} * * *`};case"weekdays":return{cron:`${t} ${e} * * 1-5`};case"days":return i.days.length?{cron:`${t} ${e} * * ${i.days.join(",")}`}:null;case"minutes":return{cron:`*/${Number(i.every)} * * * *`};case"hours":return{cron:`0 */${Number(i.every)} * * *`};default:return(i.cron||"").trim()?{cron:i.cron.trim()}:null}},ke=i=>{let e=i.trigger,t={after:i.after,before:i.before,until:i.until,every_time:i.every_time,cooldown:String(i.cooldown)},s=n=>(Array.isArray(n)?n[0]:n)??"";if(e.trigger==="zone")return{...t,kind:e.event==="enter"?"arrive":"leave",person:e.entity_id,zone:e.zone};if(e.trigger==="numeric_state"){let n="above"in e?"above":"below";return{...t,kind:n,entity:e.entity_id,value:String(e[n])}}return"to"in e?{...t,kind:"state",entity:e.entity_id,state:s(e.to)}:{...t,kind:"done",entity:e.entity_id}},te=i=>{let e={kind:"in",minutes:"10",at:"",time:"07:30",days:[],every:"15",cron:"",person:"",zone:"zone.home",entity:"",state:"",value:"",after:"",before:"",until:"",every_time:!1,cooldown:"10"};return i&&i.form.moment?{...e,...ke(i.form.moment)}:i&&i.form.kind==="cron"&&i.cron?{...e,...xe(i.cron)}:i?{...e,kind:"at",at:Ae(i.next_run)}:e};var Ce=250,q=class extends y{constructor(){super(...arguments);m(this,"formClass","task-editor")}initialData(t){let s={action:t.action==="remind"?"remind":"agent",agent:t.agent||"",prompt:t.prompt||"",user:t.user||"",platform:t.platform||"",missed_run_policy:t.missed_run_policy==="skip"?"skip":"run_once",retry_attempts:t.retry_attempts??"",only_when_needed:!!t.only_when_needed};for(let[n,r]of Object.entries(te(this.item)))s[`when_${n}`]=r;return s}firstUpdated(){this._schedulePreview()}heading(){return this.item?this.t("edit_task",{name:this.item.name}):this.t("new_task")}_when(){return Object.fromEntries(Object.entries(this.data).filter(([t])=>t.startsWith("when_")).map(([t,s])=>[t.slice(5),s]))}changed(t){t.startsWith("when_")&&this._schedulePreview()}_schedulePreview(){clearTimeout(this._previewTimer),this._previewTimer=setTimeout(()=>this._preview(),Ce)}async _preview(){let t=wt(this._when()),s=JSON.stringify(t);if(this._asked=s,this.fieldError("when",""),!t){this.preview=void 0;return}try{let n=await this.hass.callWS({type:"dland_assistant/preview_schedule",language:this.hass.language,...t});this._asked===s&&(this.preview=n)}catch(n){if(this._asked!==s)return;this.preview=void 0,this.fieldError(bt(n.translation_key),n.message||String(n))}}_toggleDay(t){let s=this.data.when_days.includes(t)?this.data.when_days.filter(n=>n!==t):[...this.data.when_days,t].sort((n,r)=>at.indexOf(n)-at.indexOf(r));this.set("when_days",s)}fields(){let t=this.t,s=this.choices||{agents:[],people:[],channels:[]},n=this.data.when_kind;return a`
      <div class="row">
        ${_(this,"name",t("field_name"))}
        ${$(this,"action",t("field_action"),[["agent",t.option("task_action","agent")],["remind",t.option("task_action","remind")]])}
        ${$(this,"agent",t("field_agent"),s.agents.map(r=>[r,r]),{required:!1,custom:!0})}
      </div>
      ${it(this,"prompt",t("field_prompt"))}
      <div class="row when">
        ${$(this,"when_kind",t("field_when"),Xt.map(r=>[r,t(`when_${r}`)]))}
        ${n==="in"?_(this,"when_minutes",t("field_minutes"),{type:"number",min:1}):l}
        ${n==="at"?_(this,"when_at",t("field_at"),{type:"datetime-local"}):l}
        ${["daily","weekdays","days"].includes(n)?_(this,"when_time",t("field_time"),{type:"time"}):l}
        ${["minutes","hours"].includes(n)?_(this,"when_every",t(`field_every_${n}`),{type:"number",min:1}):l}
        ${n==="cron"?_(this,"when_cron",t("field_cron"),{placeholder:"30 7 * * 1-5"}):l}
      </div>
      ${lt.includes(n)?this._momentFields(n,s):l}
      ${n==="days"?a`<div class="days" role="group" aria-label=${t("field_days")}>
        ${at.map(r=>{let o=this.data.when_days.includes(r);return a`<ha-button size="s" class="day" data-day=${r} aria-pressed=${String(o)}
            appearance=${o?"filled":"outlined"} variant=${o?"brand":"neutral"}
            @click=${()=>this._toggleDay(r)}>${Vt(r,this.hass)}</ha-button>`})}</div>`:l}
      <div class="field-error" data-field="when">${this.errors.when||""}</div>
      <div class="preview-when" aria-live="polite">
        <span class="schedule-text">${this.preview?.schedule_text||""}</span>
        ${this.preview?a`<ol class="next-runs">${this.preview.next_runs.map(r=>a`<li>${tt(r,this.hass)}</li>`)}</ol>`:l}
      </div>
      ${nt(this,s,t("field_user"))}
      ${rt(this)}
      ${T(this,"only_when_needed",t("field_only_when_needed"))}
      ${ot(this)}`}_momentFields(t,s){let n=this.t,r=s.zones||[];return a`
      <div class="row moment">
        ${["arrive","leave"].includes(t)?a`
          ${$(this,"when_person",n("field_person"),s.people.map(o=>[o.id,o.name]),{required:!1})}
          ${$(this,"when_zone",n("field_zone"),r.map(o=>[o.id,o.name]))}`:Qt(this,"when_entity",n("field_entity"))}
        ${t==="state"?_(this,"when_state",n("field_state"),{placeholder:"locked"}):l}
        ${["above","below"].includes(t)?_(this,"when_value",n("field_value"),{type:"number"}):l}
      </div>
      <div class="row moment-window">
        ${_(this,"when_after",n("field_after"),{type:"time"})}
        ${_(this,"when_before",n("field_before"),{type:"time"})}
        ${_(this,"when_until",n("field_until"),{type:"datetime-local"})}
      </div>
      <div class="row">
        ${T(this,"when_every_time",n("field_every_time"))}
        ${this.data.when_every_time?_(this,"when_cooldown",n("field_cooldown"),{type:"number",min:1}):l}
      </div>`}async save(){let t=wt(this._when());if(!t)return this.fieldError("when",this.t("say_when")),!1;let s=this.data,n={prompt:s.prompt,action:s.action,missed_run_policy:s.missed_run_policy,only_when_needed:s.only_when_needed,...t};for(let r of["name","agent","user","platform"])s[r]&&(n[r]=s[r]);s.retry_attempts!==""&&(n.retry_attempts=Number(s.retry_attempts)),this.item&&(n.task_id=this.item.task_id);try{await this.hass.callWS({type:"call_service",domain:"dland_assistant",service:this.item?"update_task":"schedule_task",service_data:n,return_response:!0})}catch(r){return this.fieldError(bt(r.translation_key),r.message||String(r)),!1}return!0}};m(q,"properties",{...y.properties,preview:{state:!0}});var Te={"dland-assistant-card":P,"dland-assistant-card-editor":H,"dland-task-editor":q,"dland-routine-editor":B},ee=()=>{for(let[i,e]of Object.entries(Te))window.customElements.get(i)||window.customElements.define(i,e)};ee();window.customElements.whenDefined("home-assistant").then(ee);window.customCards=window.customCards||[];window.customCards.push({type:"dland-assistant-card",name:"dland assistant",description:"Tasks, routines and recent runs of your background agents, live.",preview:!0,documentationURL:"https://github.com/dland/dland_assistant#mission-control-entities-dashboard-card-diagnostics-repairs-blueprints"});
